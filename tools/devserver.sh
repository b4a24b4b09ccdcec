#!/usr/bin/env bash
# Development server with its background processes: a task worker and the scheduler run
# beside `runserver` and stop with it (Ctrl+C or any exit). Usage: tools/devserver.sh [PORT]
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${1:-${PORT:-8000}}
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM
"$PY" manage.py db_worker --no-reload --interval 2 -v 1 &
pids+=($!)
"$PY" manage.py scheduler &
pids+=($!)
"$PY" manage.py runserver "127.0.0.1:$PORT"
