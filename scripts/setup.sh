#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned requirements.
# Re-runs pip only when requirements.txt or constraints.txt changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.requirements.sha
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
  python=$(bash scripts/find-python.sh)
  echo "setup: creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned requirements into .venv (first time takes a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade "pip<24" 2>&1 | grep -v '^WARNING: Location' || true
  # pip -q still warns about every local index folder that lacks a package; the noise hides real errors.
  set +e
  .venv/bin/python -m pip install --quiet -r requirements.txt -c constraints.txt 2>&1 | grep -v -E '^(WARNING: Location|  DEPRECATION)'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then echo "setup: pip install failed (exit $status)" >&2; exit "$status"; fi
  echo "$want" > "$stamp"
fi
bash scripts/vendor_echarts.sh
