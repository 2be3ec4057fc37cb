#!/usr/bin/env bash
# `npm test`: build, then unit tests (mocha in Node), a short soak (test/soak: minutes of mixed work through the
# extension's real code paths inside a real VS Code extension host; fails on a memory climb in a worker's lifetime
# or in the host's heap, a failed request or an unhandled rejection), the integration suite (mocha inside a real
# VS Code extension host, code-server) and the e2e suite (Playwright driving the workbench).
# Every stage runs even when an earlier one fails. Each stage ends with "N passed, N failed";
# the last line is the sum: "Total: N passed, N failed". Exit status: non-zero if any stage failed
# or ran no test. Logs: .test-run/<stage>.log. Set HEARTH_STAGES="unit integration" to run a subset; by default
# the packaged-build stages (vsix, integration-vsix, e2e-vsix, e2e-airgap) run after the others.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .test-run
STAGES=${HEARTH_STAGES:-unit soak integration e2e vsix integration-vsix e2e-vsix e2e-airgap}
VERSION=$(node -p "require('./package.json').version")
VSIX="hearth-linux-x64-$VERSION.vsix"
AIRGAP_MODEL=../shared/models/stories260K-fim-chat.gguf
AIRGAP_VSIX="hearth-linux-x64-$VERSION-stories260K-fim-chat.vsix"
VSIXES="$(node --input-type=module -e "import { TARGETS } from './.ci/targets.mjs'; console.log(Object.keys(TARGETS).map((t) => 'hearth-' + t + '-$VERSION.vsix').join(' '))") $AIRGAP_VSIX"

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

# The remote-engine tests (unit and integration) run against a real llama-server built from the llama.cpp sources
# inside node-llama-cpp; cached in .cache/llama-native per llama.cpp commit and CPU (minutes the first time).
if [[ " $STAGES " == *" unit "* || " $STAGES " == *" integration "* ]]; then
  echo
  echo "== llama-server (bench/native/build.sh)"
  t=$(now)
  if bash bench/native/build.sh >.test-run/llama-native.log 2>&1; then
    echo "llama-server: $(tail -n 1 .test-run/llama-native.log) ($(elapsed "$t") s)"
  else
    echo "llama-server build failed ($(elapsed "$t") s; .test-run/llama-native.log): the remote-engine tests will fail"
    tail -n 20 .test-run/llama-native.log
  fi
fi

for stage in $STAGES; do
  case $stage in
    unit) run_stage unit node node_modules/mocha/bin/mocha.js ;;
    # 2½ minutes (about 3¼ with code-server's start) of typing with inline completions, accepted suggestions,
    # Summarize, Rewrite accepted and rejected, chat turns, an unload and reload and a model switch there and back,
    # inside code-server's extension host; the samples go to .test-run/soak-host.json. Bounds and why: test/soak/report.ts.
    # It replaces the engine-level soak here (both would not fit the stage's 3½ minutes); that one, which pushes the
    # worker past its first 2,000 requests at full speed, stays a benchmark: node dist/bench/soak.js --minutes 30.
    soak) run_stage soak node test/driver/run-code-server.mjs --suite soak --minutes 2.5 ;;
    integration) run_stage integration node test/driver/run-code-server.mjs --suite integration ;;
    e2e) run_stage e2e node test/driver/run-code-server.mjs --suite e2e ;;
    # The packaged builds (CI): six platform VSIXs and the air-gapped one, each opened and checked; packaging
    # builds dist/ for production, so the test bundles are built again for the stages after it.
    vsix) run_stage vsix bash -c "node .ci/package.mjs >/dev/null && node .ci/package.mjs --bundle-model $AIRGAP_MODEL >/dev/null && node esbuild.mjs && node .ci/check-vsix.mjs $VSIXES" ;;
    # The linux-x64 VSIX installed into code-server, UI suite.
    e2e-vsix) run_stage e2e-vsix env HEARTH_VSIX="$VSIX" node test/driver/run-code-server.mjs --suite e2e ;;
    integration-vsix) run_stage integration-vsix env HEARTH_VSIX="$VSIX" node test/driver/run-code-server.mjs --suite integration ;;
    # The air-gapped VSIX in a fresh profile with no model setting, in a network namespace with only loopback:
    # completion and chat must work with nothing to connect to.
    e2e-airgap) run_stage e2e-airgap env HEARTH_VSIX="$AIRGAP_VSIX" HEARTH_NO_MODEL_SETTING=1 \
      unshare "$( ((EUID == 0)) && printf -- -n || printf -- -rn)" sh -c 'ip link set lo up && exec "$@"' sh node test/driver/run-code-server.mjs --suite e2e --grep 'air-gapped|smoke|inline completions|chat panel' ;;
    *) echo "unknown stage $stage"; status=1 ;;
  esac
done

# CI shows only the tail of this output: repeat each failed stage's mocha failure report here, just above the
# summary, so the tail names what failed and why.
for stage in $STAGES; do
  log=".test-run/$stage.log"
  [[ -f $log ]] || continue
  if sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -qE '^ +[0-9]+ failing'; then
    echo
    echo "== failures in $stage (from $log)"
    sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -n '/^ \+[0-9]\+ failing/,$p' | head -n 60
  fi
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "Total: $total_pass passed, $total_fail failed"
exit $status
