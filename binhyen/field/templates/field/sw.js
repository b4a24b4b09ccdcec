/* Bình Yên field app service worker (Workbox). Version {{ version|safe }}.
   Precaches the shell and its static files; never caches an API answer or any other page. */
importScripts("{{ workbox_sw|safe }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix|safe }}", debug: false });
workbox.core.setCacheNameDetails({ prefix: "binhyen-field" });
// Opening the shell answers from the precache at once, online or not. Registered before the
// precache's own route, and matched by URL alone: the stored page varies on headers (Cookie,
// Accept-Language) that a later navigation does not repeat exactly.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === {{ shell_url|safe }},
  async ({ request }) => (await workbox.precaching.matchPrecache({{ shell_url|safe }})) || fetch(request)
);
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute({{ precache|safe }}, { ignoreURLParametersMatching: [/.*/] });

self.addEventListener("message", (event) => {
  if (!event.data) return;
  if (event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data.type === "CLEAR") {
    // Logout: drop every cache this worker made; the page clears IndexedDB itself.
    event.waitUntil(
      caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k))))
        .then(() => event.ports[0] && event.ports[0].postMessage("cleared"))
    );
  }
});
