// Indicators pages: trend charts (ECharts), children map (Leaflet, works without tiles),
// report entry (keyboard flow, checks as you type). No inline scripts: data comes from
// <script type="application/json"> blocks rendered by json_script.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  // Selects that apply themselves (period, metric, form pickers).
  document.querySelectorAll(".js-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll(".js-period-jump").forEach(function (form) {
    var select = form.querySelector(".js-period-select");
    if (!select) { return; }
    select.addEventListener("change", function () {
      window.location.href = form.dataset.base + encodeURIComponent(select.value) + "/";
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });

  // --- trend charts ---------------------------------------------------------------------
  var trends = readJson("trend-data");
  if (trends && window.echarts) {
    document.querySelectorAll(".js-trend").forEach(function (el) {
      var data = trends[el.dataset.metric];
      if (!data) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      // Every period with data is drawn: symbols are always on, so a lone month between
      // empty ones (or a single month of data) is a visible point, never hidden by a gap.
      // A metric reported by kind has one line per kind (never their total).
      var colors = ["#0b5d3b", "#b02a37", "#0d6efd", "#fd7e14", "#6f42c1", "#20c997"];
      // The unfinished period (if shown) is a hollow point off the line: it is not joined to
      // the full periods, so no drop or rise is drawn from incomplete figures.
      var at = data.ongoing;
      var series = [];
      (data.series || []).forEach(function (s, i) {
        var color = colors[i % colors.length];
        var full = s.values.slice();
        if (at !== null && at !== undefined) { full[at] = null; }
        series.push({
          name: s.name, type: "line", data: full, connectNulls: false, smooth: false,
          showSymbol: true, showAllSymbol: true, symbol: "circle", symbolSize: 6,
          itemStyle: { color: color },
          areaStyle: data.series.length === 1 ? { opacity: 0.08 } : undefined
        });
        if (at !== null && at !== undefined && s.values[at] !== null) {
          var lone = s.values.map(function () { return null; });
          lone[at] = s.values[at];
          series.push({
            name: s.name, type: "line", data: lone, showSymbol: true, symbol: "emptyCircle",
            symbolSize: 8, lineStyle: { opacity: 0 }, itemStyle: { color: color },
            tooltip: { show: true }
          });
        }
      });
      var several = (data.series || []).length > 1;
      chart.setOption({
        animation: false,  // drawn at once: no moment where a lone point is not there yet
        color: colors,
        grid: { left: 40, right: 10, top: several ? 30 : 10, bottom: 30 },
        legend: several ? {
          top: 0, type: "scroll", textStyle: { fontSize: 10 },
          data: data.series.map(function (s) { return s.name; })
        } : undefined,
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.labels, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
        series: series
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // --- map of children ------------------------------------------------------------------
  var mapEl = document.getElementById("children-map");
  var points = readJson("map-points");
  if (mapEl && points && points.length && window.L && window.BinhYenMap) {
    var maps = window.BinhYenMap;
    var map = maps.create(mapEl);
    var words = maps.words(mapEl);
    var scale = maps.classes(points, ["#b02a37", "#fd7e14", "#198754", "#adb5bd"], words);
    var bounds = [];
    points.forEach(function (p) {
      var ratio = (p.value || 0) / scale.max;
      var color = scale.colorOf(p);
      var marker = window.L.circleMarker([p.lat, p.lon], {
        radius: 4 + 14 * Math.sqrt(ratio), color: color, fillColor: color, fillOpacity: 0.6, weight: 1
      }).addTo(map);
      maps.popup(marker, p.name, p.url, p.label);
      maps.label(marker, p.name, points.length);
      bounds.push([p.lat, p.lon]);
    });
    maps.legend(map, words.title, scale.items);
    maps.fit(map, bounds, 12);
  }

  // --- report entry ---------------------------------------------------------------------
  var form = document.querySelector(".js-report-form");
  if (!form) { return; }
  var cells = Array.prototype.slice.call(form.querySelectorAll(".js-cell"));
  var rules = readJson("rules-data") || [];
  var ruleBox = form.querySelector(".js-rule-box");
  var lang = document.documentElement.lang || "vi";
  var text = lang === "en" ? {
    notNumber: "is not a number", integer: "must be a whole number", min: "must not be below ",
    max: "must not be above ", yesNo: "only 0 (no) or 1 (yes)", percent: "must be 0–100", rule: "Rule"
  } : {
    notNumber: "không phải là số", integer: "phải là số nguyên", min: "không được nhỏ hơn ",
    max: "không được lớn hơn ", yesNo: "chỉ nhận 0 (không) hoặc 1 (có)", percent: "phải từ 0 đến 100",
    rule: "Quy tắc"
  };

  function parse(raw) {
    var t = (raw || "").replace(/\s/g, "");
    if (t === "") { return null; }
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) { t = t.replace(/\./g, "").replace(",", "."); }
    else { t = t.replace(",", "."); }
    if (!/^-?\d+(\.\d+)?$/.test(t)) { return NaN; }
    return parseFloat(t);
  }

  function check(cell) {
    var v = parse(cell.value);
    var msg = "";
    if (v !== null) {
      if (isNaN(v)) { msg = text.notNumber; }
      else if ((cell.dataset.type === "integer" || cell.dataset.type === "boolean") && v !== Math.floor(v)) { msg = text.integer; }
      else if (cell.dataset.type === "boolean" && v !== 0 && v !== 1) { msg = text.yesNo; }
      else if (cell.dataset.type === "percent" && (v < 0 || v > 100)) { msg = text.percent; }
      else if (cell.dataset.min !== undefined && v < parseFloat(cell.dataset.min)) { msg = text.min + cell.dataset.min; }
      else if (cell.dataset.max !== undefined && v > parseFloat(cell.dataset.max)) { msg = text.max + cell.dataset.max; }
    }
    var feedback = cell.closest("tr").querySelector(".js-cell-error");
    cell.classList.toggle("is-invalid", msg !== "");
    if (feedback) { feedback.textContent = msg; }
    return msg === "";
  }

  function totals() {
    var out = {};
    cells.forEach(function (cell) {
      var v = parse(cell.value);
      if (v === null || isNaN(v)) { return; }
      out[cell.dataset.metric] = (out[cell.dataset.metric] || 0) + v;
    });
    return out;
  }

  var ops = {
    le: function (a, b) { return a <= b; }, lt: function (a, b) { return a < b; },
    eq: function (a, b) { return Math.abs(a - b) < 1e-9; }, ge: function (a, b) { return a >= b; },
    gt: function (a, b) { return a > b; }
  };
  var signs = { le: "≤", lt: "<", eq: "=", ge: "≥", gt: ">" };

  function checkRules() {
    if (!ruleBox) { return; }
    var t = totals();
    var broken = rules.filter(function (r) {
      return t[r.left] !== undefined && t[r.right] !== undefined && !ops[r.op](t[r.left], t[r.right]);
    });
    ruleBox.textContent = "";
    broken.forEach(function (r) {
      var line = document.createElement("div");
      line.textContent = text.rule + " '" + r.code + " – " + r.name + "': " + t[r.left] + " " + signs[r.op] + " " + t[r.right] + " ✗";
      ruleBox.appendChild(line);
    });
    ruleBox.classList.toggle("d-none", broken.length === 0);
  }

  cells.forEach(function (cell, i) {
    cell.addEventListener("input", function () { check(cell); checkRules(); });
    cell.addEventListener("keydown", function (event) {
      // Enter moves to the next cell (fast keyboard entry); Enter on the last one saves.
      if (event.key === "Enter") {
        event.preventDefault();
        var next = cells[i + 1];
        if (next) { next.focus(); next.select(); }
        else { form.querySelector("button[value=save]").click(); }
      }
    });
  });
  checkRules();
})();
