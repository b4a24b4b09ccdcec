// Public tip form: load the map (Leaflet and the pin script) only when the citizen asks for
// it, so the form's first render does not wait for a map most people never open. The map
// opens by itself when the form comes back with a position already set (after an error).
// No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function addScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.body.appendChild(script);
    });
  }

  function addStyle(href) {
    return new Promise(function (resolve) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = resolve;
      link.onerror = resolve;
      document.head.appendChild(link);
    });
  }

  function init() {
    var loader = document.querySelector("[data-pin-map-loader]");
    if (!loader) {
      return;
    }
    var button = loader.querySelector("[data-pin-map-open]");
    var status = loader.querySelector("[data-pin-map-status]");
    var loading = null;

    function open() {
      if (loading) {
        return loading;
      }
      button.disabled = true;
      status.textContent = loader.dataset.msgLoading;
      loading = Promise.all([addStyle(loader.dataset.leafletCss), addScript(loader.dataset.leafletJs)])
        .then(function () {
          return addScript(loader.dataset.pinMapJs);
        })
        .then(function () {
          loader.hidden = true;
        })
        .catch(function () {
          status.textContent = loader.dataset.msgFailed;
          button.disabled = false;
          loading = null;
        });
      return loading;
    }

    button.hidden = false;
    button.addEventListener("click", open);
    var form = loader.closest("form");
    var lat = form && form.querySelector("input[name=latitude]");
    if (lat && lat.value) {
      open();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
