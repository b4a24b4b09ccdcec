// Programme pages (confirmations: app.js): the CEL editor's error position, the overview map.
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // --- criterion form: rule fields only for rule criteria ----------------------------------
  var kind = document.querySelector("[data-testid=criterion-form] select[name=kind]");
  var ruleSection = document.querySelector("[data-kind-section=rule]");
  function toggleRule() {
    if (kind && ruleSection) {
      ruleSection.classList.toggle("d-none", kind.value !== "rule");
    }
  }
  if (kind) {
    kind.addEventListener("change", toggleRule);
    toggleRule();
  }

  // --- CEL check: mark the field, and jump to the error position on request ----------------
  function offsetOf(text, line, column) {
    var lines = text.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) {
      offset += lines[i].length + 1;
    }
    return Math.min(text.length, offset + Math.max(0, column - 1));
  }
  function markCheck() {
    var input = document.querySelector("[data-testid=cel-input]");
    var box = document.getElementById("cel-check");
    if (!input || !box) { return; }
    var error = box.querySelector("[data-testid=cel-error]");
    input.classList.toggle("is-invalid", !!error);
    input.setAttribute("aria-invalid", error ? "true" : "false");
    if (error && error.dataset.line) {
      error.style.cursor = "pointer";
      error.addEventListener("click", function () {
        var at = offsetOf(input.value, Number(error.dataset.line), Number(error.dataset.column));
        input.focus();
        input.setSelectionRange(at, Math.min(input.value.length, at + 1));
      });
    }
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "cel-check") { markCheck(); }
  });
  markCheck();

  // --- overview map: children sized by recognised units -----------------------------------
  var mapEl = document.getElementById("overview-map");
  var source = document.getElementById("overview-points");
  if (mapEl && source && window.L && window.BinhYenMap) {
    var maps = window.BinhYenMap;
    var points = JSON.parse(source.textContent);
    var words = maps.words(mapEl);
    var colors = ["#198754", "#20c997", "#fd7e14", "#adb5bd"];
    colors.zeroIsNone = true;
    var map = maps.create(mapEl);
    var scale = maps.classes(points, colors, words);
    var bounds = [];
    points.forEach(function (p) {
      var ratio = (p.value || 0) / scale.max;
      var color = scale.colorOf(p);
      var marker = window.L.circleMarker([p.lat, p.lon], {
        radius: 5 + 12 * Math.sqrt(ratio), color: color, fillColor: color, fillOpacity: 0.6, weight: 1
      }).addTo(map);
      maps.popup(marker, p.name, p.url, p.label);
      maps.label(marker, p.name, points.length);
      bounds.push([p.lat, p.lon]);
    });
    maps.legend(map, words.title, scale.items);
    maps.fit(map, bounds, 12);
  }
})();
