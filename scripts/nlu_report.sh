#!/usr/bin/env bash
# `make nlu-report`: how well the model understands messages it never saw, for trainers.
#   1. rasa test nlu on each held-out set (tests/nlu/ and the later, blind tests/nlu/round2/: intents and
#      knowledge-base questions): per-intent precision/recall/F1, confusion matrices as pictures, the
#      misclassified messages;
#   2. each set's summary (knowledge-base top-1/top-3, out-of-domain false accepts) against the targets;
#   3. a 5-fold cross-validation of the training data (five NLU trainings: about 25 minutes).
# Everything lands in reports/nlu/. `--no-cv` skips step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
bash scripts/train.sh
out=reports/nlu
rm -rf "$out" && mkdir -p "$out/heldout-data" "$out/heldout-round2-data"
export MATPLOTLIBRC="$PWD/scripts/matplotlib"
if ! fc-list :lang=zh 2>/dev/null | grep -q . && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 || true
fi
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "nlu-report: no CJK font found, Chinese labels in the pictures will show as boxes (apt-get install fonts-noto-cjk)" >&2
fi
cp tests/nlu/heldout_intents.yml tests/nlu/heldout_faq.yml "$out/heldout-data/"
cp tests/nlu/round2/heldout_intents.yml tests/nlu/round2/heldout_faq.yml "$out/heldout-round2-data/"

for set in heldout heldout-round2; do
  echo "== rasa test nlu on the held-out set ($set)"
  rasa test nlu --model "$MODEL" --nlu "$out/$set-data" --out "$out/$set" >"$out/$set.log" 2>&1 \
    || { tail -20 "$out/$set.log" >&2; exit 1; }
done

echo "== held-out summaries"
python -m bot nlu-heldout --model "$MODEL" --out "$out/heldout-summary.md" 2>>"$out/heldout.log"
python -m bot nlu-heldout --model "$MODEL" --set round2 --out "$out/heldout-round2-summary.md" 2>>"$out/heldout-round2.log"

if [ "${1:-}" != "--no-cv" ]; then
  echo "== 5-fold cross-validation of the training data"
  rasa test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out "$out/cross-validation" \
    >"$out/cross-validation.log" 2>&1 || { tail -20 "$out/cross-validation.log" >&2; exit 1; }
  grep -E "Intent evaluation results|Accuracy:|F1-Score:|Precision:" "$out/cross-validation.log" | sed -n 1,12p || true
fi
echo "nlu-report: $out/ (heldout/intent_report.json, heldout/intent_confusion_matrix.png, heldout/intent_errors.json,"
echo "  heldout/response_selection_*, heldout-summary.md, the same for heldout-round2, cross-validation/)"
