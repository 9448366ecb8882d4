#!/usr/bin/env bash
# Scores designs for defects anywhere on the vault, on the SkullFix skulls the vault model never saw (its validation
# split), one folder and one summary per defect family:
#   skullfix   SkullFix's own defects (posterior-superior)
#   side       hemicraniectomy-sized cuts on one side (ellipsoid / irregular, 10-16 % of the skull's bone,
#              about 100-150 mm long)
#   bilateral  a side cut on each side, bone left between them (ellipsoid / irregular, 7-12 % each)
#   front      frontal cuts down towards the supraorbital rim (sphere / irregular / craniotomy, 3-7 %)
#   back       occipital cuts (sphere / irregular / craniotomy, 3-7 %)
#   vault      ball-shaped cuts anywhere up to 100 degrees from the vertex (sphere, 2-6 %)
# Usage: docs/evaluate-vault.sh [OUT_DIR]   (default: runs/eval-vault; needs ../shared/data)
# METHODS overrides what is scored (default: the bundled model and the oracle-grid ceiling). Results are cached per
# case and method in OUT_DIR, so a rerun only computes what is new. FAMILIES limits the families; MAKE_ONLY=1 only
# makes the defect cases.
set -euo pipefail
cd "$(dirname "$0")/.."
calvaria=${CALVARIA:-./calvaria}
out=${1:-runs/eval-vault}
data=../shared/data/skullfix
# The validation skulls of the vault model (calvaria train --placement defect --val-split 0.15 --seed 7).
heldout=${HELDOUT:-001,002,003,010,012,038,045,056,058,059,069}
methods=${METHODS:---model default --baseline oracle-grid}
families=${FAMILIES:-skullfix side bilateral front back vault}
mkdir -p "$out"

make_family() { # name placement types range
  local name=$1 placement=$2 types=$3 range=$4 dir="$out/$1-cases" i=0
  [ -f "$dir/manifest.json" ] && return 0
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  local -a list=(${types//,/ })
  for id in ${heldout//,/ }; do
    # one case per skull, the family's types in turn
    $calvaria defects "$data/complete_skull/$id.nrrd" -o "$dir.tmp" --type "${list[$((i % ${#list[@]}))]}" --count 1 \
        --placement "$placement" --fraction-range "$range" --seed "$((500 + i))" --quiet
    i=$((i + 1))
  done
  python3 - "$dir.tmp" "$name" <<'PY'
import json, sys, pathlib
root, family = pathlib.Path(sys.argv[1]), sys.argv[2]
cases = []
for f in sorted(root.glob("*_defects.json")):
    for d in json.loads(f.read_text())["defects"]:
        cases.append({"id": d["name"], "defect_type": family + ":" + d["type"],
                      "achieved_fraction": d["achieved_fraction"]})
(root / "manifest.json").write_text(json.dumps({"cases": cases}, indent=1))
print(len(cases), family, "cases")
PY
  mv "$dir.tmp" "$dir"
}

for family in $families; do
  case $family in
    skullfix) [ -z "${MAKE_ONLY:-}" ] && $calvaria evaluate "$data" $methods --cases "$heldout" -o "$out/skullfix" ;;
    side)  make_family side side ellipsoid,irregular 0.10,0.16 ;;
    bilateral) make_family bilateral bilateral ellipsoid,irregular 0.14,0.24 ;;
    front) make_family front front sphere,irregular,craniotomy 0.03,0.07 ;;
    back)  make_family back back sphere,irregular,craniotomy 0.03,0.07 ;;
    vault) make_family vault vault sphere 0.02,0.06 ;;
    *) echo "unknown family $family" >&2; exit 2 ;;
  esac
  [ -n "${MAKE_ONLY:-}" ] && continue
  if [ "$family" != skullfix ]; then
    $calvaria evaluate "$out/$family-cases" $methods -o "$out/$family"
  fi
done
