#!/usr/bin/env bash
# Fuzzes one Jazzer target for N minutes: docs/fuzz.sh TARGET MINUTES
#   TARGET: nrrd-attached | nrrd-detached | nifti | dicom | stl | upload
# New interesting inputs go to .cifuzz-corpus/ (not committed); a crashing input is written into the target's
# committed corpus under calvaria-core/src/test/resources/org/calvaria/.../*FuzzTestInputs/METHOD/, where 'mvn verify' replays it
# from then on. Fuzzing goes on after a finding (up to FUZZ_KEEP_GOING=50 distinct ones) until the time is up. The libFuzzer status lines (#execs, cov, ft, exec/s) and a summary are printed; the whole log is kept
# in target/fuzz-TARGET.log. Exit status: 0 nothing found, non-zero a finding (or a build failure).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-}
minutes=${2:-10}
case "$target" in
  nrrd-attached) test='NrrdFuzzTest#attached' ;;
  nrrd-detached) test='NrrdFuzzTest#detached' ;;
  nifti)         test='NiftiFuzzTest#nifti' ;;
  dicom)         test='DicomFuzzTest#header' ;;
  stl)           test='StlFuzzTest#stl' ;;
  upload)        test='UploadFuzzTest#upload' ;;
  *) echo "usage: docs/fuzz.sh nrrd-attached|nrrd-detached|nifti|dicom|stl|upload MINUTES" >&2; exit 2 ;;
esac
[[ "$minutes" =~ ^[0-9]+$ ]] || { echo "error: MINUTES must be a whole number, got '$minutes'" >&2; exit 2; }
mkdir -p target
log="target/fuzz-$target.log"
echo "fuzzing $test for $minutes min (log: $log)"
set +e
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${minutes}m" nice -n 10 mvn -B ${MVN_OFFLINE:--o} -pl calvaria-core -am test \
  -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${minutes}m" \
  -Djazzer.keep_going="${FUZZ_KEEP_GOING:-50}" \
  -Dsurefire.argLine="${FUZZ_JVM_OPTS:--Xmx1500m}" >"$log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+' "$log" | tail -n 3 || true
grep -E 'Done [0-9]+ runs|== Java Exception|FuzzTestFinding|Tests run:' "$log" | head -n 8 || true
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
# With keep_going Jazzer records a finding and fuzzes on, and the test can still pass: count the findings in the log.
findings=$(grep -c '^== Java Exception' "$log" || true)
if [ "$rc" -eq 0 ] && [ "$findings" -gt 0 ]; then rc=1; fi
grep -E 'Test unit written to' "$log" | sed 's/.*Test unit written to /finding saved: /' || true
echo "summary: target=$target minutes=$minutes rc=$rc findings=$findings last-status='${last}'"
exit $rc
