#!/usr/bin/env bash
# Tests the ./calvaria launcher with the jar this build has just made (run by 'mvn verify' after packaging):
# exit codes, TensorFlow's start-up lines taken out of stderr, and the class-data archive of the first design/demo.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
root="$(cd "$root/.." && pwd)"
export CALVARIA_NO_BUILD=1 # a test must never start a nested Maven build
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0
check() {
  if eval "$2"; then echo "launcher test: ok - $1"; else echo "launcher test: FAILED - $1"; failed=1; fi
}
jsa="$root/calvaria-core/target/calvaria.jsa"
rm -f "$jsa"

out="$("$root/calvaria" --version 2>"$tmp/err")"; rc=$?
check "--version exits 0 (got $rc)" '[ "$rc" = 0 ]'
check "--version prints the version" '[[ "$out" == "calvaria "* ]]'
check "--version writes nothing to stderr" '[ ! -s "$tmp/err" ]'

"$root/calvaria" bogus >"$tmp/out" 2>"$tmp/err"; rc=$?
check "an unknown command exits 2 (got $rc)" '[ "$rc" = 2 ]'
check "an unknown command is named" 'grep -q "Unmatched argument at index 0: .bogus." "$tmp/err"'

"$root/calvaria" info "$tmp/missing.nrrd" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a missing input exits 1 (got $rc)" '[ "$rc" = 1 ]'
check "a missing input gets one error line" '[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^error: " "$tmp/err"'
check "no class-data archive from a run that is not design or demo" '[ ! -e "$jsa" ]'

"$root/calvaria" design --help >/dev/null 2>&1; rc=$?
check "design --help exits 0 (got $rc)" '[ "$rc" = 0 ]'
check "no class-data archive from design --help (it would hold only the help's classes)" '[ ! -e "$jsa" ]'

"$root/calvaria" demo -o "$tmp/demo" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "demo exits 0 (got $rc; stderr: $(head -c 300 "$tmp/err"))" '[ "$rc" = 0 ]'
check "demo wrote its STL" '[ -s "$tmp/demo/implant.stl" ]'
check "demo recorded the class-data archive" '[ -s "$jsa" ]'
check "no temporary archive is left" '[ -z "$(ls "$jsa".*.tmp 2>/dev/null)" ]'
check "TensorFlow's start-up lines are taken out of stderr" \
  '! grep -q "absl::InitializeLog\|mlir_graph_optimization" "$tmp/err"'
check "no class-data sharing messages" '! grep -q "\[cds\]" "$tmp/out" "$tmp/err"'

out="$("$root/calvaria" --version 2>"$tmp/err")"; rc=$?
check "a run that maps the archive exits 0 and prints only the version" \
  '[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && [[ "$out" == "calvaria "* ]]'

flags() { JAVA_TOOL_OPTIONS=-XX:+PrintFlagsFinal CALVARIA_CDS=0 "$@" 2>/dev/null | grep -E '^ *(intx|uint|bool) (TieredStopAtLevel|UsePerfData|UseSerialGC) '; }
quick="$(flags "$root/calvaria" design --help)"
check "design runs with the quick compiler only (got: $quick)" '[[ "$quick" =~ TieredStopAtLevel\ +=\ 1\  ]]'
check "design runs with the serial collector (got: $quick)" '[[ "$quick" =~ UseSerialGC\ +=\ true\  ]]'
full="$(flags "$root/calvaria" info --help)"
check "other commands keep the optimising compiler (got: $full)" '[[ "$full" =~ TieredStopAtLevel\ +=\ 4\  ]]'
full="$(CALVARIA_QUICK_JIT=0 flags "$root/calvaria" design --help)"
check "CALVARIA_QUICK_JIT=0 keeps it for design (got: $full)" '[[ "$full" =~ TieredStopAtLevel\ +=\ 4\  ]]'
check "CALVARIA_QUICK_JIT=0 keeps the default collector too (got: $full)" '[[ "$full" =~ UseSerialGC\ +=\ false\  ]]'

CALVARIA_CDS=0 "$root/calvaria" --version >/dev/null 2>&1; rc=$?
check "CALVARIA_CDS=0 runs without the archive (exit $rc)" '[ "$rc" = 0 ]'

bench="$root/docs/bench-design.sh"
"$bench" "$tmp/demo/defective_skull.nrrd" 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bench-design.sh refuses 0 runs: exit 2, one error line (got $rc)" \
  '[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^error: RUNS" "$tmp/err"'
"$bench" "$tmp/missing.nrrd" 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bench-design.sh names a missing skull: exit 1 (got $rc)" '[ "$rc" = 1 ] && grep -q "missing.nrrd does not exist" "$tmp/err"'
(cd "$tmp/demo" && CORES=all "$bench" defective_skull.nrrd 1 >"$tmp/out" 2>"$tmp/err"); rc=$?
check "bench-design.sh times a design from a relative path and prints the ratio (exit $rc; $(tail -n 1 "$tmp/err"))" \
  '[ "$rc" = 0 ] && grep -q "^  run 1: [0-9.]* s wall" "$tmp/out" && grep -q "^design / floor: *[0-9]*x" "$tmp/out"'

exit "$failed"
