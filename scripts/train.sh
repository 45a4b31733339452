#!/usr/bin/env bash
# Trains models/current.tar.gz only when config.yml, domain/ or data/ changed since the last training.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

fingerprint=$(find config.yml domain data -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  echo "train: model is up to date ($MODEL)"
  exit 0
fi
echo "train: training $MODEL (about two and a half minutes on 2 cores)"
start=$(date +%s)
mkdir -p var/log
rm -f "$MODEL"
if ! rasa train --domain domain --fixed-model-name current --out models >var/log/train.log 2>&1 || [ ! -f "$MODEL" ]; then
  tail -30 var/log/train.log >&2
  echo "train: rasa train failed; full log in var/log/train.log" >&2
  exit 1
fi
echo "$fingerprint" > models/.fingerprint
echo "train: done in $(( $(date +%s) - start )) s"
