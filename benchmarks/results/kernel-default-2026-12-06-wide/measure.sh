#!/bin/bash
# Usage: kernel-default.sh REPO OUTDIR : plan --family kernel --solver cpsat,z3 --time-limit 10 --json on every real map.
repo=$1; out=$2; mkdir -p "$out"
for f in "$repo"/model/src/test/resources/realmaps/*.txt; do
  n=$(basename "$f" .txt)
  timeout 200 nice "$repo"/bin/tdmr plan --family kernel --solver cpsat,z3 --time-limit 10 --json "$f" > "$out/$n.json" 2>/dev/null
done
python3 - "$out" <<'PY'
import json,sys,glob,os
for p in sorted(glob.glob(sys.argv[1]+"/*.json")):
    try: d=json.load(open(p))
    except Exception: print(os.path.basename(p)[:50], "no JSON"); continue
    row=[]
    for r in d.get("results",[]):
        row.append("%s %s %s restr=%d" % (r.get("solver"), r.get("status"), r.get("pamtBytes"), len(r.get("restrictions") or [])))
    print("%-60s %s" % (os.path.basename(p)[:60], " | ".join(row)))
PY
