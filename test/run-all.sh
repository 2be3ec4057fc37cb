#!/usr/bin/env bash
# `npm test`: build, then unit tests (mocha in Node), the integration suite (mocha inside a real
# VS Code extension host, code-server) and the e2e suite (Playwright driving the workbench).
# Every stage runs even when an earlier one fails. Each stage ends with "N passed, N failed";
# the last line is the sum: "Total: N passed, N failed". Exit status: non-zero if any stage failed
# or ran no test. Logs: .test-run/<stage>.log. Set HEARTH_STAGES="unit integration" to run a subset.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .test-run
STAGES=${HEARTH_STAGES:-unit integration e2e}

total_pass=0
total_fail=0
status=0
summary=()

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

echo "== build"
t=$(now)
if ! node esbuild.mjs --clean 2>&1 | tee .test-run/build.log; then
  echo "build failed ($(elapsed "$t") s)"
  echo "Total: 0 passed, 1 failed"
  exit 1
fi
echo "build: $(elapsed "$t") s"

run_stage() {
  local name=$1; shift
  local log=".test-run/$name.log" t rc line passed failed
  echo
  echo "== $name: $*"
  t=$(now)
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # The stage's own closing line: "N passed, N failed" (optionally ", N skipped").
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?[[:space:]]*$' | tail -n 1)
  if [[ -n $line ]]; then
    passed=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  else
    passed=0
    failed=1
    echo "$name: no 'N passed, N failed' line found (exit code $rc)"
  fi
  if ((rc != 0)) && ((failed == 0)); then failed=1; fi # crashed after its summary
  if ((rc == 0)) && ((passed == 0)) && ((failed == 0)); then
    echo "$name: ran no test"
    failed=1
  fi
  ((rc != 0 || failed != 0)) && status=1
  total_pass=$((total_pass + passed))
  total_fail=$((total_fail + failed))
  summary+=("$(printf '%-12s %4d passed %4d failed  exit %-3d %6s s' "$name" "$passed" "$failed" "$rc" "$(elapsed "$t")")")
}

for stage in $STAGES; do
  case $stage in
    unit) run_stage unit node node_modules/mocha/bin/mocha.js ;;
    integration) run_stage integration node test/driver/run-code-server.mjs --suite integration ;;
    e2e) run_stage e2e node test/driver/run-code-server.mjs --suite e2e ;;
    *) echo "unknown stage $stage"; status=1 ;;
  esac
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "Total: $total_pass passed, $total_fail failed"
exit $status
