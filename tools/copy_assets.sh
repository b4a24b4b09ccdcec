#!/usr/bin/env bash
# Copy the front-end files we serve from node_modules (installed from the lockfile) into static.
set -euo pipefail
cd "$(dirname "$0")/.."
dst=binhyen/static/vendor
rm -rf "$dst"
mkdir -p "$dst"/{bootstrap,bootstrap-icons/fonts,htmx,echarts,leaflet/images}
# Source maps too: the files name them, and collectstatic's manifest refuses missing ones.
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map "$dst/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map "$dst/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dst/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dst/bootstrap-icons/fonts/"
cp node_modules/htmx.org/dist/htmx.min.js "$dst/htmx/"
cp node_modules/echarts/dist/echarts.min.js "$dst/echarts/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css "$dst/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dst/leaflet/images/"
# Offline field app: Workbox (the service worker loads its modules from workbox/) and Dexie.
mkdir -p "$dst"/{workbox,dexie}
cp node_modules/workbox-sw/build/workbox-sw.js* "$dst/workbox/"
for module in core precaching routing strategies; do
  cp node_modules/workbox-$module/build/workbox-$module.prod.js* "$dst/workbox/"
done
cp node_modules/workbox-window/build/workbox-window.prod.umd.js* "$dst/workbox/"
cp node_modules/dexie/dist/dexie.min.js node_modules/dexie/dist/dexie.min.js.map "$dst/dexie/"
echo "assets copied to $dst"
