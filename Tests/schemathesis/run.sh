#!/usr/bin/env bash
# Runs schemathesis (https://schemathesis.readthedocs.io) against a real `gatelog serve` on a
# temporary data directory, using the repository's docs/openapi.json (the document the server
# serves at /openapi.json, which needs a token) and the first-start admin token.
# Not part of CI (it needs a network install); run it by hand:
#
#   python3 -m venv /tmp/st && /tmp/st/bin/pip install schemathesis
#   swift build --product gatelog
#   SCHEMATHESIS=/tmp/st/bin/schemathesis Tests/schemathesis/run.sh [extra schemathesis options]
#
# Environment: GATELOG (binary, default .build/debug/gatelog), SCHEMATHESIS (default: on PATH),
# MAX_TIME (seconds of fuzzing, default 60). Exit status is schemathesis's.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
GATELOG=$(realpath "${GATELOG:-.build/debug/gatelog}")
SCHEMATHESIS=${SCHEMATHESIS:-schemathesis}
MAX_TIME=${MAX_TIME:-60}
DATA=$(mktemp -d /tmp/gatelog-schemathesis-XXXXXX)
OUT="$DATA/serve.out"
"$GATELOG" serve --data "$DATA/data" --listen 127.0.0.1:0 >"$OUT" 2>"$DATA/serve.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do grep -q "gatelog serving" "$OUT" && break; sleep 0.1; done
TOKEN=$(grep '^glt_' "$OUT" | head -1)
PORT=$(sed -n 's/^gatelog serving http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT")
[ -n "$TOKEN" ] && [ -n "$PORT" ] || { echo "the server did not start:"; cat "$OUT" "$DATA/serve.err"; exit 2; }
# A few records so that searches, gets and stats have something to return.
for i in 1 2 3; do
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" --data-binary \
    "{\"id\":\"seed-$i\",\"ts\":\"2026-03-01T12:00:0$i.000Z\",\"region\":\"eu-west-1\",\"tenant\":\"acme\",\"model\":\"m\",\"status\":200}" \
    "http://127.0.0.1:$PORT/v1/records"
done
cd "$DATA"   # schemathesis keeps its cache (.schemathesis/) in the working directory
"$SCHEMATHESIS" run "$ROOT/docs/openapi.json" --url "http://127.0.0.1:$PORT" \
  --header "Authorization: Bearer $TOKEN" \
  --checks all --max-time "$MAX_TIME" --workers 2 "$@"
