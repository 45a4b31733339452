#!/usr/bin/env bash
# wait-for.sh URL SECONDS PID: polls URL until it answers, fails early if process PID died.
url=$1; limit=$2; pid=${3:-}
for _ in $(seq 1 "$limit"); do
  if curl -fsS -o /dev/null "$url" 2>/dev/null; then exit 0; fi
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then echo "wait-for: process $pid exited before $url answered" >&2; exit 1; fi
  sleep 1
done
echo "wait-for: $url did not answer within $limit s" >&2
exit 1
