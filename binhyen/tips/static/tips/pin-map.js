// Public tip form: "drop a pin" on a Leaflet map. An enhancement only: without this script
// the map stays hidden and the form works as before. The pin goes into the hidden latitude
// and longitude fields; the server checks it (area from the fields' data-min/data-max) and,
// when no commune is chosen, sends the tip to the commune nearest the pin.
// No inline scripts (the CSP forbids them); without a tile server the map shows the
// communes of the chosen province as dots on a plain background.
(function () {
  "use strict";

  function num(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function init() {
    var container = document.getElementById("tip-pin-map");
    var box = document.querySelector("[data-pin-map-box]");
    if (!container || !box || typeof window.L === "undefined") {
      return;
    }
    var form = container.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var commune = form.querySelector("select[name=commune]");
    var status = box.querySelector("[data-pin-status]");
    var clear = box.querySelector("[data-pin-clear]");
    var unknown = form.querySelector("input[name=location_unknown]");
    if (!lat || !lon) {
      return;
    }
    var south = num(lat.dataset.min), north = num(lat.dataset.max);
    var west = num(lon.dataset.min), east = num(lon.dataset.max);
    var area = window.L.latLngBounds([south, west], [north, east]);

    box.hidden = false;
    var tileUrl = container.dataset.tileUrl || "";
    var map = window.L.map(container, {
      scrollWheelZoom: false,
      attributionControl: Boolean(tileUrl),
      maxBounds: area.pad(0.2),
    });
    if (tileUrl) {
      window.L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: container.dataset.attribution || "",
      }).addTo(map);
    } else {
      container.classList.add("bg-body-tertiary");
    }
    map.fitBounds(area);

    var communes = window.L.layerGroup().addTo(map);
    var pin = null;

    function say(text) {
      status.textContent = text;
    }

    function showPin(latlng, centre) {
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = window.L.circleMarker(latlng, {
          radius: 9,
          color: "#b02a37",
          weight: 3,
          fillOpacity: 0.7,
        }).addTo(map);
      }
      if (centre) {
        map.setView(latlng, Math.max(map.getZoom(), 12));
      }
      clear.hidden = false;
      var text = container.dataset.msgSet + ": " + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5) + ".";
      if (!commune || !commune.value) {
        text += " " + container.dataset.msgNearest;
      }
      say(text);
    }

    function dropPin(latlng) {
      if (!area.contains(latlng)) {
        say(container.dataset.msgOutside);
        return;
      }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      showPin(latlng, false);
    }

    function syncFromFields(centre) {
      var a = num(lat.value), b = num(lon.value);
      if (a === null || b === null) {
        return;
      }
      showPin(window.L.latLng(a, b), centre);
    }

    function drawCommunes() {
      communes.clearLayers();
      if (!commune) {
        return;
      }
      var points = [];
      Array.prototype.forEach.call(commune.options, function (option) {
        var a = num(option.dataset.lat), b = num(option.dataset.lon);
        if (a === null || b === null) {
          return;
        }
        var marker = window.L.circleMarker([a, b], {
          radius: option.selected ? 7 : 4,
          color: option.selected ? "#0b5d3b" : "#0d6efd",
          weight: 1,
          fillOpacity: 0.5,
        });
        // Names come from the database: give Leaflet a text node, never HTML.
        var label = document.createElement("span");
        label.textContent = option.textContent;
        marker.bindTooltip(label);
        marker.on("click", function (event) {
          dropPin(event.latlng);
        });
        marker.addTo(communes);
        points.push([a, b]);
      });
      if (pin) {
        return;
      }
      var chosen = commune.options[commune.selectedIndex];
      if (chosen && num(chosen.dataset.lat) !== null) {
        map.setView([num(chosen.dataset.lat), num(chosen.dataset.lon)], 12);
      } else if (points.length) {
        map.fitBounds(points, { padding: [16, 16], maxZoom: 12 });
      }
    }

    map.on("click", function (event) {
      dropPin(event.latlng);
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      if (pin) {
        map.removeLayer(pin);
        pin = null;
      }
      clear.hidden = true;
      say(container.dataset.msgHint);
    });
    if (commune) {
      commune.addEventListener("change", function () {
        drawCommunes();
        syncFromFields(false);
      });
      // The commune list is replaced when the province changes (htmx).
      new MutationObserver(drawCommunes).observe(commune, { childList: true });
    }
    // "Use my position" fills the same fields; show it on the map.
    var geoStatus = form.querySelector("[data-geolocate-status]");
    if (geoStatus) {
      new MutationObserver(function () {
        syncFromFields(true);
      }).observe(geoStatus, { childList: true, characterData: true, subtree: true });
    }
    // The map is inside the part hidden by "don't remember the place": resize when shown.
    if (unknown) {
      unknown.addEventListener("change", function () {
        window.setTimeout(function () {
          map.invalidateSize();
        }, 0);
      });
    }
    say(container.dataset.msgHint);
    drawCommunes();
    syncFromFields(true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
