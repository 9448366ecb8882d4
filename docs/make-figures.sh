#!/usr/bin/env bash
# Remakes the README's defect pictures from ../shared/data with the built tool:
# docs/defects/TYPE.png shows one defect of every type cut from SkullFix case 000 (removed bone in red).
set -euo pipefail
cd "$(dirname "$0")/.."
calvaria=${CALVARIA:-./calvaria}
skull=../shared/data/skullfix/complete_skull/000.nrrd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$calvaria defects "$skull" -o "$work" --type all --count 10 --fraction 0.2 --seed 3 --quiet
mkdir -p docs/defects
python3 - "$work" > "$work/list.txt" <<'PY'
import json, sys, pathlib
info = json.loads((pathlib.Path(sys.argv[1]) / "000_defects.json").read_text())
for d in info["defects"]:
    print(d["name"], d["type"], round(100 * d["achieved_fraction"], 1))
PY
while read -r name type pct; do
  $calvaria preview "$work/defective_skull/$name.nrrd" --overlay "$work/implant/$name.nrrd" \
      -o "docs/defects/$type.png" --size 320 --title "$type, $pct% of the upper cranium" --quiet
done < "$work/list.txt"
