// Every page: install the field app's service worker, show the network state, and clear the
// device's offline store and caches on logout. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var script = document.currentScript;
  var swUrl = (script && script.dataset.sw) || "/sw.js";
  // Installed for signed-in staff and in the app itself, never for citizens' public pages.
  var install = !!(script && script.dataset.install);
  var DB_NAME = "binhyen-field";

  function showNetwork() {
    document.querySelectorAll("[data-field-network]").forEach(function (badge) {
      var online = navigator.onLine;
      badge.textContent = online ? badge.dataset.online : badge.dataset.offline;
      badge.classList.toggle("text-bg-success", online);
      badge.classList.toggle("text-bg-secondary", !online);
      badge.dataset.state = online ? "online" : "offline";
    });
  }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  document.addEventListener("DOMContentLoaded", showNetwork);

  // The service worker (Workbox); on a new version, the shell offers to update.
  if (install && "serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      if (window.workbox && window.workbox.Workbox) {
        var wb = new window.workbox.Workbox(swUrl, { scope: "/" });
        wb.addEventListener("waiting", function () {
          document.dispatchEvent(new CustomEvent("field:update-waiting", { detail: wb }));
        });
        wb.addEventListener("controlling", function () { window.location.reload(); });
        window.BinhYenFieldWorkbox = wb;
        wb.register();
      } else {
        navigator.serviceWorker.register(swUrl, { scope: "/" }).catch(function () { /* retried on the next page */ });
      }
    });
  }

  function waitingEntries() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(0); return; }
      var request = indexedDB.open(DB_NAME);
      request.onerror = function () { resolve(0); };
      request.onsuccess = function () {
        var idb = request.result;
        if (!idb.objectStoreNames.contains("outbox")) { idb.close(); resolve(0); return; }
        var count = idb.transaction("outbox").objectStore("outbox").count();
        count.onsuccess = function () { idb.close(); resolve(count.result); };
        count.onerror = function () { idb.close(); resolve(0); };
      };
    });
  }

  function clearDevice() {
    if (window.BinhYenField) return window.BinhYenField.clearDevice();
    var steps = [new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    })];
    if (window.caches) {
      steps.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return caches.delete(k); }));
      }));
    }
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    try { localStorage.removeItem("binhyen-field-last"); } catch (e) { /* private mode */ }
    return Promise.all(steps);
  }
  window.BinhYenFieldClear = clearDevice;

  // Logout clears the offline store and the caches first (after a warning if entries wait).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-field-logout]") || form.dataset.cleared) return;
    event.preventDefault();
    waitingEntries().then(function (count) {
      var question = (form.dataset.confirm || "%s").replace("%s", count);
      if (count > 0 && !window.confirm(question)) return;
      return clearDevice().then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });
})();
