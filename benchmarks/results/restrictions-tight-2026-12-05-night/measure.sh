#!/bin/bash
# Usage: measure.sh REPO OUTDIR : plan --solver cpsat,z3 --max-tdmrs T --time-limit 10 --json on every
# real map of the tests, T = 1..4; one JSON file per command, then table.py OUTDIR.
repo=$1; out=$2; mkdir -p "$out"
for f in "$repo"/model/src/test/resources/realmaps/*.txt; do
  n=$(basename "$f" .txt)
  for t in 1 2 3 4; do
    timeout 200 nice "$repo"/bin/tdmr plan --solver cpsat,z3 --max-tdmrs $t --time-limit 10 --json "$f" > "$out/$n.t$t.json" 2>/dev/null
  done
done
