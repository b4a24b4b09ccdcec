// Maps of units (Leaflet), shared by the unit page, the dashboard and the programme overview:
// the base (tiles when configured; otherwise a plain background with a visible note), labels
// with the units' names, and a legend of the colour classes. Texts come from the page
// (translated there); names are user-entered, so they are always text nodes, never HTML.
(function () {
  "use strict";

  // Above this many points, names show on hover only: permanent labels would cover the map.
  var LABEL_LIMIT = 40;

  function box(className, value) {
    var el = document.createElement("div");
    el.className = className;
    if (value) {
      el.textContent = value;
    }
    return el;
  }

  function control(map, position, build) {
    var c = window.L.control({ position: position });
    c.onAdd = build;
    c.addTo(map);
  }

  // Create the map in ``el`` with its base layer; ``el.dataset``: tiles (or tileUrl),
  // attribution, noTiles (the note shown when no tile server is configured).
  function create(el, options) {
    var tiles = el.dataset.tiles || el.dataset.tileUrl || "";
    var settings = options || {};
    settings.attributionControl = Boolean(tiles);
    var map = window.L.map(el, settings);
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("map-plain");
      if (el.dataset.noTiles) {
        control(map, "topright", function () {
          var note = box("map-note", el.dataset.noTiles);
          note.setAttribute("data-testid", "map-no-tiles");
          return note;
        });
      }
    }
    return map;
  }

  // Name the marker: a permanent label when the map has few points, a hover label otherwise.
  function label(marker, name, count) {
    var text = document.createElement("span");
    text.textContent = name;
    marker.bindTooltip(text, {
      permanent: count <= LABEL_LIMIT,
      direction: "right",
      offset: [6, 0],
      className: "map-label",
    });
  }

  // A legend in the map's corner: ``items`` are {color, text}.
  function legend(map, title, items) {
    control(map, "bottomright", function () {
      var el = box("map-legend");
      el.setAttribute("data-testid", "map-legend");
      if (title) {
        el.appendChild(box("map-legend-title", title));
      }
      items.forEach(function (item) {
        var row = box("map-legend-row");
        var swatch = document.createElement("span");
        swatch.className = "map-swatch";
        swatch.style.backgroundColor = item.color;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(item.text));
        el.appendChild(row);
      });
      return el;
    });
  }

  // The colour classes of a value map: thirds of the largest value, grey for no value.
  // ``colors`` = [high, middle, low, none]; ``words`` = {high, middle, low, none} from the page.
  function classes(points, colors, words) {
    var max = Math.max.apply(null, points.map(function (p) { return p.value || 0; }).concat([1]));
    var lang = document.documentElement.lang || "vi";
    function fmt(v) { return Math.round(v).toLocaleString(lang); }
    function colorOf(p) {
      if (p.value === null || p.value === undefined || (colors.zeroIsNone && !p.value)) {
        return colors[3];
      }
      var ratio = (p.value || 0) / max;
      return ratio > 0.66 ? colors[0] : ratio > 0.33 ? colors[1] : colors[2];
    }
    var items = [
      { color: colors[0], text: words.high + " (> " + fmt(max * 0.66) + ")" },
      { color: colors[1], text: words.middle + " (" + fmt(max * 0.33) + "–" + fmt(max * 0.66) + ")" },
      { color: colors[2], text: words.low + " (≤ " + fmt(max * 0.33) + ")" },
      { color: colors[3], text: words.none },
    ];
    return { max: max, colorOf: colorOf, items: items };
  }

  // The legend's words, from the map element's data attributes (translated by the page).
  function words(el) {
    var d = el.dataset;
    return { title: d.legendTitle, high: d.legendHigh, middle: d.legendMiddle, low: d.legendLow, none: d.legendNone };
  }

  // A popup with the unit's name (a link to its page) and its figure.
  function popup(marker, name, url, figure) {
    var el = document.createElement("div");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = name;
    el.appendChild(link);
    el.appendChild(document.createElement("br"));
    el.appendChild(document.createTextNode(figure === "" || figure === null ? "—" : figure));
    marker.bindPopup(el);
  }

  // Fit the points, keeping them clear of the note (top) and the legend (bottom).
  function fit(map, bounds, maxZoom) {
    var el = map.getContainer();
    function height(selector) {
      var found = el.querySelector(selector);
      return found ? found.offsetHeight : 0;
    }
    var top = 24 + height(".map-note");
    var bottom = 24 + height(".map-legend");
    if (bounds.length === 1) {
      map.setView(bounds[0], maxZoom > 13 ? 13 : maxZoom);
      return;
    }
    map.fitBounds(bounds, { paddingTopLeft: [24, top], paddingBottomRight: [24, bottom], maxZoom: maxZoom });
  }

  window.BinhYenMap = {
    create: create, label: label, legend: legend, classes: classes, words: words, popup: popup, fit: fit,
  };
})();
