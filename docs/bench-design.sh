#!/usr/bin/env bash
# End-to-end design speed, as a clinical engineer waits for it, against this machine's compute floor measured in the
# same run: each timed design is a fresh './calvaria design' process (JVM start, TensorFlow load, read, network, mesh,
# STL written), and the floor is a large float32 matrix multiply in the same TensorFlow ('calvaria bench net').
# Usage: docs/bench-design.sh [SKULL] [RUNS]
#   SKULL  defective skull to design (default: SkullFix 069 from ../shared/data; without it, the built-in synthetic
#          demo skull, which is much smaller than a scan)
#   RUNS   timed designs after one untimed warm-up (default 7; medians are printed)
#   CORES=N pins every process to N cores with taskset (default: 2, the clinical target; CORES=all does not pin)
set -euo pipefail
skull=${1:-}
runs=${2:-7}
if [ -n "$skull" ] && [ -e "$skull" ]; then skull="$(cd "$(dirname "$skull")" && pwd)/$(basename "$skull")"; fi
cd "$(dirname "$0")/.."
cores=${CORES:-2}
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 100 ]; then
  echo "error: RUNS must be a whole number 1..100, got '$runs'; usage: docs/bench-design.sh [SKULL] [RUNS]" >&2
  exit 2
fi
if [ -n "$skull" ] && [ ! -e "$skull" ]; then
  echo "error: $skull does not exist; give a defective skull (NRRD, NIfTI, DICOM folder) or no argument" >&2
  exit 1
fi
pin=()
if [ "$cores" != all ]; then
  if ! [[ "$cores" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: CORES must be a positive whole number or 'all', got '$cores'" >&2
    exit 2
  fi
  have=$(nproc)
  if ! command -v taskset >/dev/null 2>&1; then
    echo "note: taskset not found; running on all $have cores" >&2
  elif [ "$cores" -lt "$have" ]; then
    pin=(taskset -c "0-$((cores - 1))")
  fi
  [ "$cores" -gt "$have" ] && cores=$have
else
  cores=$(nproc)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

./calvaria --version >/dev/null # builds the jar first when it is missing or stale (not timed)
export CALVARIA_NO_BUILD=1
if [ -z "$skull" ]; then
  if [ -f ../shared/data/skullfix/defective_skull/069.nrrd ]; then
    skull=../shared/data/skullfix/defective_skull/069.nrrd
  else
    echo "note: ../shared/data not found; timing the built-in synthetic demo skull (far smaller than a scan)" >&2
    ${pin[@]+"${pin[@]}"} ./calvaria demo -o "$work/demo" --quiet >/dev/null
    skull="$work/demo/defective_skull.nrrd"
  fi
fi

# Warm-up, untimed: records the class-data archive after a build, brings the scan into the page cache, and writes the
# report that says how many network passes a design of this skull makes.
if ! ${pin[@]+"${pin[@]}"} ./calvaria design "$skull" -o "$work/warm.stl" --report "$work/warm.json" --quiet \
    >/dev/null 2>"$work/err"; then
  echo "error: the warm-up design failed: $(tail -n 1 "$work/err")" >&2
  exit 1
fi
read -r arch passes < <(python3 - "$work/warm.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
arch = r["model"]["architecture"]
if arch.startswith("custom-"):  # custom-8-8-32-64_1-2-4-1-2-4 -> 8,8,32,64/1,2,4,1,2,4
    arch = arch[len("custom-"):].replace("-", ",").replace("_", "/")
holes = sum(1 for h in r.get("holes", []) if h.get("designed"))
mirrored = "mirrored" in r["networkGrid"].get("placement", "")
print(arch, max(holes, 1) * (2 if mirrored else 1))
PY
)

echo "design: $skull, $runs fresh './calvaria design' processes on $cores core(s), after one warm-up"
walls=()
cpus=()
for i in $(seq "$runs"); do
  rm -f "$work/implant.stl"
  TIMEFORMAT='%R %U %S'
  { time ${pin[@]+"${pin[@]}"} ./calvaria design "$skull" -o "$work/implant.stl" >"$work/out" 2>"$work/err"; } 2>"$work/time"
  read -r wall user sys <"$work/time"
  if [ ! -s "$work/implant.stl" ]; then
    echo "error: run $i wrote no STL: $(tail -n 1 "$work/err")" >&2
    exit 1
  fi
  walls+=("$wall")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  cpus+=("$cpu")
  echo "  run $i: ${wall} s wall, $cpu s CPU; $(grep -o 'seconds per stage.*' "$work/out" "$work/err" | head -n 1 | sed 's/.*seconds per stage: //')"
done

${pin[@]+"${pin[@]}"} ./calvaria bench net --arch "$arch" --threads "$cores" --repeats 5 --batch 1 --design-case none >"$work/net" 2>&1 || {
  echo "error: 'calvaria bench net' failed: $(tail -n 1 "$work/net")" >&2
  exit 1
}
python3 - "$work/net" "$passes" "${walls[*]}" "${cpus[*]}" <<'PY'
import re, statistics, sys
net = open(sys.argv[1]).read()
passes = int(sys.argv[2])
walls = [float(x) for x in sys.argv[3].split()]
cpus = [float(x) for x in sys.argv[4].split()]
gflop = float(re.search(r"forward cost:\s+([\d.]+) GFLOP", net).group(1))
floor = float(re.search(r"matmul floor:\s+([\d.]+) GFLOP/s", net).group(1))
fwd = float(re.search(r"forward time:\s+([\d.]+) s", net).group(1))
fwd_ratio = re.search(r"forward / floor:\s+([\d.]+)x", net).group(1)
work = passes * gflop
floor_s = work / floor
wall = statistics.median(walls)
print(f"design wall:     median {wall:.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
      f"CPU median {statistics.median(cpus):.2f} s")
print(f"compute floor:   {floor:.1f} GFLOP/s (float32 matrix multiply in the same engine, measured in this run)")
print(f"network work:    {work:.2f} GFLOP per design ({passes} forward passes x {gflop:.3f} GFLOP); "
      f"a warm forward pass alone: {fwd:.4f} s = {fwd_ratio}x its floor")
print(f"design / floor:  {wall / floor_s:.0f}x (median wall / (network GFLOP / floor GFLOP/s) = "
      f"{wall:.2f} / {floor_s:.4f} s); everything but the network's arithmetic is overhead on this scale")
PY
