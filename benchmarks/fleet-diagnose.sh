#!/usr/bin/env bash
# The many-hosts benchmark of benchmarks/README.md ("Many hosts in one run"): tdmr diagnose over
# COUNT generated kernel logs (tdmr.bench.gen.FleetLogs) in one run (one JVM, --jobs JOBS), against
# running it once per log (a JVM each) on the first ONCE of them; prints hosts per second of both.
# Usage: benchmarks/fleet-diagnose.sh [DIR [COUNT [JOBS [ONCE]]]]
#        (defaults: /tmp/tdmr-fleet-logs, 1000, the number of processors, 100)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dir="${1:-/tmp/tdmr-fleet-logs}"
count="${2:-1000}"
jobs="${3:-$(nproc)}"
once="${4:-100}"
rm -rf "$dir"
java -cp "$here/benchmarks/target/tdmr-bench.jar" tdmr.bench.gen.FleetLogs "$dir" "$count"

seconds() { date +%s.%N; }
echo "load before: $(uptime)"

start=$(seconds)
set +e
"$here/bin/tdmr" diagnose --json --jobs "$jobs" "$dir" > "$dir.ndjson"
status=$?
set -e
end=$(seconds)
lines=$(wc -l < "$dir.ndjson")
echo "one run:      $lines hosts (exit $status) in $(echo "$end - $start" | bc) s:" \
  "$(echo "scale=1; $lines / ($end - $start)" | bc) hosts/s (--jobs $jobs)"

start=$(seconds)
n=0
for f in $(ls "$dir" | head -n "$once"); do
  "$here/bin/tdmr" diagnose --json "$dir/$f" > /dev/null 2>&1 || true
  n=$((n + 1))
done
end=$(seconds)
echo "once per log: $n hosts in $(echo "$end - $start" | bc) s:" \
  "$(echo "scale=3; $n / ($end - $start)" | bc) hosts/s"
echo "load after: $(uptime)"
