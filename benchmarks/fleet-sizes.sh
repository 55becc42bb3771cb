#!/usr/bin/env bash
# The fleet-size benchmark of benchmarks/README.md ("Fleet-sized inputs"): reading the largest
# inputs real fleets produce, and plan/prove/frontier/fix with --time-limit 1 on the largest
# generated maps, each in its own JVM under /usr/bin/time -v (wall time, CPU time, peak RSS), and
# the command's own time from its start to its end (-Dtdmr.timing=true), JVM start-up aside: with
# --time-limit 1, that time less 1 s is the overrun past the limit; "reading the map" is the part of
# it no time limit stops, and "engines past their share" how long the engines ran past the share of
# the limit each was given (both also from -Dtdmr.timing=true).
# Usage: benchmarks/fleet-sizes.sh [DIR]   (DIR: where the inputs go, default /tmp/tdmr-fleet)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dir="${1:-/tmp/tdmr-fleet}"
java -cp "$here/benchmarks/target/tdmr-bench.jar" tdmr.bench.gen.FleetInputs "$dir"

measure() { # label, then the tdmr arguments
  local label="$1"
  shift
  local log
  log="$(mktemp)"
  set +e
  TDMR_JAVA_OPTS="-Dtdmr.timing=true" /usr/bin/time -v "$here/bin/tdmr" "$@" > /dev/null 2> "$log"
  local status=$?
  set -e
  local wall cpu rss command readms engines
  wall="$(grep 'Elapsed (wall clock)' "$log" | sed 's/.*: //')"
  cpu="$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.1f", s}' "$log")"
  rss="$(grep 'Maximum resident set size' "$log" | sed 's/.*: //')"
  command="$(grep -o 'timing: [0-9]* ms' "$log" | grep -o '[0-9]*' || echo '?')"
  readms="$(grep -o 'read the map in [0-9]* ms' "$log" | grep -o '[0-9]*' | head -1 || true)"
  # Each engine's time past its share of the limit ("tdmr: timing: cpsat: UNKNOWN in 199 ms of its 101 ms"), summed.
  engines="$(sed -n 's/.*timing: [a-z0-9-]*: [A-Z]* in \([0-9]*\) ms of its \([0-9]*\) ms.*/\1 \2/p' "$log" \
    | awk '{ if ($1 > $2) s += $1 - $2; n++ } END { if (n) printf "%d ms", s }')"
  local past=""
  if [[ " $* " == *" --time-limit 1 "* && "$command" != "?" ]]; then
    past="$((command - 1000)) ms"
  fi
  printf '| %s | %s | %s ms | %s | %s | %s | %s | %s s | %d MiB |\n' "$label" "$status" "$command" "${readms:+$readms ms}" \
    "$past" "$engines" "$wall" "$cpu" $((rss / 1024))
  rm -f "$log"
}

echo "load before: $(uptime)"
echo
echo "| what | exit | command | reading the map | past the limit | engines past their share | wall (with JVM start) | CPU | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
for f in e820-200000 memblock-100000 numa-10000 cmrs-10000 memmap-10000 fragmented-10000; do
  measure "map $f" map "$dir/$f.txt"
done
for f in memmap-10000 numa-10000 fragmented-10000; do
  for s in greedy cpsat z3; do
    measure "plan $f --solver $s --time-limit 1" plan "$dir/$f.txt" --solver "$s" --time-limit 1
  done
  measure "plan $f --solver all --time-limit 1" plan "$dir/$f.txt" --solver all --time-limit 1
  measure "prove $f --time-limit 1" prove "$dir/$f.txt" --time-limit 1
  measure "frontier $f --time-limit 1" frontier "$dir/$f.txt" --time-limit 1
  measure "fix $f --time-limit 1" fix "$dir/$f.txt" --time-limit 1
  measure "fix $f --for layout --time-limit 1" fix "$dir/$f.txt" --for layout --time-limit 1
done
for f in memmap-10000 numa-10000 fragmented-10000; do
  measure "plan $f --family module --solver cpsat --time-limit 1" plan "$dir/$f.txt" --family module --solver cpsat --time-limit 1
  measure "prove $f --family module --time-limit 1" prove "$dir/$f.txt" --family module --time-limit 1
  measure "frontier $f --family module --time-limit 1" frontier "$dir/$f.txt" --family module --time-limit 1
  measure "fix $f --for layout --family module --time-limit 1" fix "$dir/$f.txt" --for layout --family module --time-limit 1
done
raised=(--max-tdmrs 100000 --max-rsvd 100000)
measure "plan gib-20000 --solver greedy, limits raised, --time-limit 1" plan "$dir/gib-20000.txt" --solver greedy "${raised[@]}" --time-limit 1
measure "plan gib-20000 --solver all, limits raised, --time-limit 1" plan "$dir/gib-20000.txt" --solver all "${raised[@]}" --time-limit 1
measure "frontier gib-20000 --up-to 3 --time-limit 1" frontier "$dir/gib-20000.txt" --up-to 3 --time-limit 1
echo
echo "load after: $(uptime)"
