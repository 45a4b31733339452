#!/usr/bin/env bash
# The development run: install if needed, seed the demo database, train if needed, then start the
# action server and the Rasa server together. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
mkdir -p var/log

python -m bot seed
bash scripts/train.sh

BOT_PORT=${BOT_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "run: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "run: stopped"
}
trap stop INT TERM EXIT

python -m bot wechat-sim api >var/log/wechat-api.log 2>&1 &
pids+=($!)
rasa run actions --actions actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
python -m bot.serving run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml --port "$BOT_PORT" >var/log/rasa.log 2>&1 &
pids+=($!)

bash scripts/wait-for.sh "http://localhost:$ACTIONS_PORT/health" 120 "${pids[1]}"
bash scripts/wait-for.sh "http://localhost:$BOT_PORT/" 180 "${pids[2]}"
cat <<TXT
run: the bot is up (logs under var/log/). Talk to it
  as a WeChat follower (safe mode, through the local WeChat stand-in), in another terminal:
    make chat
  or through Rasa's REST channel:
    curl -s -XPOST localhost:$BOT_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{"sender":"demo","message":"你好"}'
Press Ctrl-C to stop.
TXT
wait -n "${pids[@]}"
echo "run: a server exited unexpectedly; see var/log/" >&2
exit 1
