#!/usr/bin/env bash
# Refresh the English catalogues from the Vietnamese source strings: one catalogue per app
# (binhyen/<app>/locale/en) and one for the shared templates and config (locale/en).
# Usage: tools/messages.sh [app ...]   (no argument: every app and the project catalogue)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DJANGO_SETTINGS_MODULE=config.settings DEBUG=1
django_admin="$root/.venv/bin/django-admin"
opts=(-l en --no-obsolete --no-location -e html,txt,py)
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for d in binhyen/*/; do
    [ -f "$d/apps.py" ] && apps+=("$(basename "$d")")
  done
  apps+=("project")
fi
for app in "${apps[@]}"; do
  if [ "$app" = project ]; then
    ignores=(--ignore=.venv --ignore=node_modules --ignore=tools --ignore=var)
    for d in binhyen/*/; do [ -f "$d/apps.py" ] && ignores+=("--ignore=${d%/}"); done
    mkdir -p locale
    (cd "$root" && PYTHONPATH="$root" "$django_admin" makemessages "${opts[@]}" "${ignores[@]}" -v 0)
  else
    mkdir -p "binhyen/$app/locale"
    (cd "binhyen/$app" && PYTHONPATH="$root" "$django_admin" makemessages "${opts[@]}" --ignore=tests -v 0)
  fi
  echo "updated catalogue: $app"
done
# Give new catalogues a real header (msgfmt warns about the template's placeholders).
for po in locale/en/LC_MESSAGES/django.po binhyen/*/locale/en/LC_MESSAGES/django.po; do
  [ -f "$po" ] || continue
  sed -i -e 's/PACKAGE VERSION/binhyen/' -e 's/FULL NAME <EMAIL@ADDRESS>/Bình Yên team/' \
    -e 's/LANGUAGE <LL@li.org>/English/' -e 's/YEAR-MO-DA HO:MI+ZONE/2026-11-22 00:00+0700/' \
    -e 's/^"Language: \\n"/"Language: en\\n"/' "$po"
done
