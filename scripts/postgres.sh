#!/usr/bin/env bash
# postgres.sh start DIR | stop DIR: a throwaway PostgreSQL cluster on a Unix socket in DIR, for the tests that
# prove the back ends work on PostgreSQL unchanged. Prints the SQLAlchemy URL on start; prints nothing (exit 3)
# when no PostgreSQL server is installed.
set -euo pipefail
action=$1; dir=$(realpath -m "$2")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/postgres" ] || exit 3
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$action" in
  start)
    rm -rf "$dir"; mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    run "'$bin/initdb' -D '$dir/data' -A trust -U postgres -E UTF8 >'$dir/init.log' 2>&1"
    run "'$bin/pg_ctl' -D '$dir/data' -o \"-p 55433 -k '$dir' -c listen_addresses=''\" -l '$dir/server.log' -w start >/dev/null"
    run "'$bin/createdb' -h '$dir' -p 55433 -U postgres bot"
    echo "postgresql+psycopg2://postgres@/bot?host=$dir&port=55433"
    ;;
  stop)
    run "'$bin/pg_ctl' -D '$dir/data' -m fast stop >/dev/null" || true
    ;;
esac
