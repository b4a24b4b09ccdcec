// Unit pages: the unit map (Leaflet) and keyboard use of the unit picker.
// Data comes from json_script elements; no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function initMap() {
    var container = document.getElementById("unit-map");
    var source = document.getElementById("unit-map-data");
    if (!container || !source || typeof window.L === "undefined" || !window.BinhYenMap) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var points = (data && data.points) || [];
    if (!points.length) {
      return;
    }
    var maps = window.BinhYenMap;
    var map = maps.create(container, { scrollWheelZoom: false });
    var bounds = [];
    points.forEach(function (point) {
      var marker = window.L.circleMarker([point.lat, point.lon], {
        radius: point.self ? 9 : 6,
        color: point.self ? "#0b5d3b" : "#0d6efd",
        weight: 2,
        fillOpacity: 0.6,
      });
      window.BinhYenMap.label(marker, point.name, points.length);
      if (point.url && !point.self) {
        marker.on("click", function () {
          window.location.assign(point.url);
        });
      }
      marker.addTo(map);
      bounds.push([point.lat, point.lon]);
    });
    if (container.dataset.legendSelf) {
      maps.legend(map, "", [
        { color: "#0b5d3b", text: container.dataset.legendSelf },
        { color: "#0d6efd", text: container.dataset.legendChildren },
      ]);
    }
    maps.fit(map, bounds, 15);
  }

  function pickerOptions(input) {
    var results = document.getElementById(input.dataset.pickerResults);
    return results ? Array.prototype.slice.call(results.querySelectorAll("[data-picker-option]")) : [];
  }

  function onKeydown(event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.matches("[data-picker-input]")) {
      var options = pickerOptions(target);
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        options[0].focus();
      } else if (event.key === "Escape") {
        var box = document.getElementById(target.dataset.pickerResults);
        if (box) {
          box.innerHTML = "";
        }
      }
      return;
    }
    if (!target.matches("[data-picker-option]")) {
      return;
    }
    var picker = target.closest("[data-unit-picker]");
    var input = picker && picker.querySelector("[data-picker-input]");
    if (!input) {
      return;
    }
    var list = pickerOptions(input);
    var index = list.indexOf(target);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      (list[index + 1] || list[index]).focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? list[index - 1] : input).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.focus();
    }
  }

  document.addEventListener("keydown", onKeydown);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initMap);
  } else {
    initMap();
  }
})();
