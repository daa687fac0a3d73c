#!/usr/bin/env bash
# Runs `npm test` and fails when it prints anything besides Jest's report (the team's rule: a
# log line, an EMF document, a warning or "A worker process has failed to exit gracefully" in
# the output is a defect to fix where it comes from). The output is shown as it comes.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
# Jest's report in CI (not a TTY): npm's script header, one PASS line per file, the summary.
extra=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
  grep -v -E '^(|> .*|PASS .*|Test Suites: .*|Tests: .*|Snapshots: .*|Time: .*|Ran all test suites\.)$')
if [ -n "$extra" ]; then
  echo
  echo "npm test printed more than Jest's report; fix where each line comes from:"
  echo "$extra"
  exit 1
fi
