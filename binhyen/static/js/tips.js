// Citizen tip form and officer tip page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // --- proof-of-work: find n with sha256(token + ":" + n) starting with `bits` zero bits ---
  function zeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 0) { count += 8; continue; }
      for (var mask = 0x80; mask && !(b & mask); mask >>= 1) { count++; }
      return count;
    }
    return count;
  }

  async function solve(token, bits) {
    var encoder = new TextEncoder();
    var batch = 64;
    for (var n = 0; ; n += batch) {
      var jobs = [];
      for (var k = 0; k < batch; k++) {
        jobs.push(crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + (n + k))));
      }
      var digests = await Promise.all(jobs);
      for (var j = 0; j < digests.length; j++) {
        if (zeroBits(new Uint8Array(digests[j])) >= bits) { return String(n + j); }
      }
    }
  }

  function setupPow(form) {
    var token = form.dataset.powToken;
    var bits = parseInt(form.dataset.powBits || "0", 10);
    var tokenInput = form.querySelector("input[name=pow_token]");
    var solutionInput = form.querySelector("input[name=pow_solution]");
    var status = form.querySelector("[data-pow-status]");
    var button = form.querySelector("[data-pow-submit]");
    var solved = null;
    tokenInput.value = token;
    if (status) { status.textContent = status.dataset.msgWorking; }
    var work = (window.crypto && crypto.subtle)
      ? solve(token, bits)
      : Promise.reject(new Error("no crypto.subtle"));
    work.then(function (solution) {
      solved = solution;
      solutionInput.value = solution;
      if (status) { status.textContent = status.dataset.msgReady; }
    }).catch(function () {
      if (status) { status.textContent = ""; }
    });
    form.addEventListener("submit", function (event) {
      if (solved !== null) { button.disabled = true; return; }
      event.preventDefault();
      button.disabled = true;
      work.then(function () { form.submit(); }, function () { button.disabled = false; });
    });
  }

  // --- show/hide dependent fields ---
  function toggle(container, show) {
    if (!container) { return; }
    container.classList.toggle("d-none", !show);
  }

  function setupForm(form) {
    var unknown = form.querySelector("input[name=location_unknown]");
    var detail = form.querySelector("[data-location-detail]");
    if (unknown) {
      var syncLocation = function () { toggle(detail, !unknown.checked); };
      unknown.addEventListener("change", syncLocation);
      syncLocation();
    }
    var contact = form.querySelector("[data-contact-fields]");
    var radios = form.querySelectorAll("input[name=anonymous]");
    var syncContact = function () {
      var named = form.querySelector("input[name=anonymous]:checked");
      toggle(contact, named && named.value === "0");
    };
    radios.forEach(function (r) { r.addEventListener("change", syncContact); });
    syncContact();
    var province = form.querySelector("select[name=province]");
    var village = form.querySelector("select[name=village]");
    if (province && village) {
      province.addEventListener("change", function () { village.selectedIndex = 0; });
    }
    var geo = form.querySelector("[data-geolocate]");
    var geoStatus = form.querySelector("[data-geolocate-status]");
    if (geo) {
      geo.addEventListener("click", function () {
        if (!navigator.geolocation) { geoStatus.textContent = geo.dataset.msgFail; return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
          geoStatus.textContent = geo.dataset.msgOk;
        }, function () { geoStatus.textContent = geo.dataset.msgFail; }, { timeout: 10000 });
      });
    }
  }

  // --- officer page: reply templates fill the reply box ---
  function setupReply(form) {
    var select = form.querySelector("[data-reply-template]");
    var body = form.querySelector("textarea[name=body]");
    if (select && body) {
      select.addEventListener("change", function () {
        if (select.value) { body.value = select.value; body.focus(); }
      });
    }
  }

  document.querySelectorAll("form[data-pow-form]").forEach(function (form) {
    setupForm(form);
    setupPow(form);
  });
  document.querySelectorAll("form[data-reply-form]").forEach(setupReply);
})();
