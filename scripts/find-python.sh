#!/usr/bin/env bash
# Prints the path of a working CPython 3.10 (Rasa 3.6 runs on 3.8–3.10 only; we pin and test 3.10).
# Looks on PATH first, then under $(pyenv root)/versions/3.10.*. A pyenv shim that exists but
# is not activated fails the version probe and is skipped.
set -u
is_py310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

for name in python3.10 python3 python; do
  candidate=$(command -v "$name" 2>/dev/null) || continue
  if is_py310 "$candidate"; then echo "$candidate"; exit 0; fi
done

root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  if is_py310 "$candidate"; then echo "$candidate"; exit 0; fi
done

echo "error: Rasa 3.6 needs CPython 3.10, found none on PATH or in $root/versions/3.10.*; install it (e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv') and retry." >&2
exit 1
