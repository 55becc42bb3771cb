#!/bin/bash
# Usage: measure.sh REPO OUTDIR [SOLVERS] : plan --family kernel --solver SOLVERS (default z3) at the default
# time limit (60 s), --json, on every real map; prints one row per map.
repo=$1; out=$2; solvers=${3:-z3}; mkdir -p "$out"
for f in "$repo"/model/src/test/resources/realmaps/*.txt; do
  n=$(basename "$f" .txt)
  s=$(date +%s.%N)
  timeout 200 nice "$repo"/bin/tdmr plan --family kernel --solver "$solvers" --json "$f" > "$out/$n.json" 2>/dev/null
  e=$(date +%s.%N)
  echo "$n $(echo "$e - $s" | bc)" >> "$out/wall.txt"
done
python3 - "$out" <<'PY'
import json,sys,glob,os
for p in sorted(glob.glob(sys.argv[1]+"/*.json")):
    try: d=json.load(open(p))
    except Exception: print("| %s | no JSON |" % os.path.basename(p)[:-5]); continue
    row=[]
    for r in d.get("results",[]):
        row.append("%s %s %s B, %s ms, restrictions %d" % (r.get("solver"), r.get("status"), "{:,}".format(r.get("pamtBytes") or 0).replace(","," "), r.get("solveMillis"), len(r.get("restrictions") or [])))
    print("| %s | %s |" % (os.path.basename(p)[:-5], " / ".join(row)))
PY
