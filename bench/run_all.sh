#!/usr/bin/env bash
# Every benchmark of the project, one after another, each printing its figures, its
# targets and "targets met" or "TARGETS MISSED"; the exit status is 1 if any missed.
# Needs what bench/README.md lists (Xvfb + trayer for tray.py, nginx + curl for download.py).
set -uo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run() {
  echo "== $*"
  if ! "$@" 2>&1 | tee "$out" || grep -q "TARGETS MISSED" "$out"; then
    failed+=("$*")
  fi
  echo
}
run "$python" bench/status_refresh.py --rooms 200 --latency-ms 50
run dbus-run-session -- "$python" bench/tray.py
run "$python" bench/contacts.py
run "$python" bench/catalog.py
run "$python" bench/download.py
run "$python" bench/soak.py
run "$python" bench/json_tolerance.py
if ((${#failed[@]})); then
  echo "missed: ${failed[*]}"
  exit 1
fi
echo "all benchmarks met their targets"
