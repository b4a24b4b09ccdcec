// Activity pages: extra item lines, "use my location" for cameras (confirmations: app.js).
(function () {
  "use strict";

  document.querySelectorAll("[data-items]").forEach(function (box) {
    var button = box.querySelector("[data-add-item]");
    var template = box.querySelector("[data-item-template]");
    var rows = box.querySelector("[data-item-rows]");
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var max = box.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (!button || !template || !rows || !total) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
      if (first) { first.focus(); }
    });
  });

  document.querySelectorAll("[data-use-location]").forEach(function (button) {
    if (!("geolocation" in navigator)) { button.classList.add("d-none"); return; }
    button.addEventListener("click", function () {
      var form = button.closest("form");
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("input[name='latitude']").value = position.coords.latitude.toFixed(6);
        form.querySelector("input[name='longitude']").value = position.coords.longitude.toFixed(6);
      }, function () {
        window.alert(button.dataset.error);
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  });
})();
