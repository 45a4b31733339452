#!/usr/bin/env bash
# The whole test suite: unit and integration tests (pytest), training-data validation, training when
# needed, then the test conversations in tests/stories against the trained model.
# Uses its own databases and ports, so it can run beside a development run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
start=$(date +%s)
mkdir -p var/test

echo "== rasa data validate"
# Rasa 3.6 merges every retrieval intent (our `faq`) into the domain a second time and warns about the
# duplicate it made itself, and it warns about every response that custom actions send (it only reads rules
# and stories); scripts/unused_responses.py checks those instead. Any other warning fails the suite.
KNOWN_WARNINGS="duplicated intents have been found across multiple domain files: faq$|The utterance 'utter_[^']+' is not used in any story or rule"
if ! rasa data validate --domain domain >var/test/validate.log 2>&1 \
   || grep -E "UserWarning|WARNING" var/test/validate.log | grep -v -E "$KNOWN_WARNINGS|MovedIn20Warning" | grep -q .; then
  grep -E -A2 "UserWarning|WARNING|ERROR" var/test/validate.log | grep -v -E "MovedIn20Warning|$KNOWN_WARNINGS" >&2
  echo "rasa data validate failed or warned; log: var/test/validate.log" >&2
  exit 1
fi
if ! unused=$(python scripts/unused_responses.py); then
  echo "responses that no rule, story or custom action sends: $unused" >&2
  exit 1
fi
echo "rasa data validate: no warnings (besides Rasa's retrieval-intent notice and responses that custom actions send, all checked as used)"

echo "== train"
bash scripts/train.sh

echo "== pytest"
pgdir=$(mktemp -d -p /tmp)  # under /tmp: the postgres user must reach it
cleanup() { bash scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
if pg_url=$(bash scripts/postgres.sh start "$pgdir" 2>/dev/null); then
  export BOT_TEST_POSTGRES_URL="$pg_url"
  echo "back-end and action tests run on SQLite and on a throwaway PostgreSQL"
else
  echo "no PostgreSQL server on this machine: back-end tests run on SQLite only"
fi
if command -v redis-server >/dev/null 2>&1; then
  echo "two-worker tests run against a throwaway redis-server"
else
  echo "no redis-server on this machine: the two-worker tests are skipped (apt-get install redis-server)"
fi
python -m pytest -q -rs tests "$@"
cleanup
trap - EXIT

echo "== test conversations (rasa test core)"
# rasa test core checks which action the policies predict at each step of tests/stories; it runs no custom
# action (their behaviour is covered by pytest above), so it needs no action server.
rm -rf results
set +e
rasa test core --model "$MODEL" --stories tests/stories --fail-on-prediction-errors --out results >var/test/rasa-test.log 2>&1
status=$?
set -e
stories=$(cat tests/stories/*.yml | grep -c "^- story:")
if [ "$status" -ne 0 ]; then
  grep -E "ERROR|Failed|failed" var/test/rasa-test.log | grep -v -i warning | tail -20 >&2
  [ -f results/failed_test_stories.yml ] && cat results/failed_test_stories.yml >&2
  echo "stories: rasa test core failed (exit $status); log: var/test/rasa-test.log" >&2
  exit 1
fi
echo "stories: $stories passed, 0 failed"
echo "== all tests passed in $(( $(date +%s) - start )) s"
