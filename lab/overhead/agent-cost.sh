#!/usr/bin/env bash
# Agent CPU (% of one core) and RSS idle and under a loopback connection storm, lost events and map-full
# counts, BPF programs' own cost (../shared/tools/bpf-cost). Run as root from the repository root:
#   lab/overhead/agent-cost.sh [--seconds 60] [--rate 10000] [--probes baseinfo,tcp,socket,io,proc,container]
# Prints a markdown section for docs/benchmarks.md on stdout; progress on stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECS=60 RATE=10000 PROBES=baseinfo,tcp,socket,io,proc,container
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --probes) PROBES="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BPF_COST="${BPF_COST:-$ROOT/../shared/tools/bpf-cost}"
JAR="$ROOT/gopher-agent/target/gopher-agent.jar"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
WORK="$(mktemp -d)"
gcc -O2 -pthread -o "$WORK/connstorm" "$ROOT/lab/tools/connstorm.c"
HZ=$(getconf CLK_TCK)

java ${AGENT_JVM_OPTS:--Xms16m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+ExitOnOutOfMemoryError} -jar "$JAR" --export 127.0.0.1:18888 --control 127.0.0.1:19999 \
  --probes-init "$WORK/probes.init" --probes "$PROBES" >"$WORK/agent.log" 2>&1 &
AGENT=$!
trap 'kill $AGENT 2>/dev/null; wait $AGENT 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 60); do curl -fsS -o /dev/null 127.0.0.1:18888/metrics 2>/dev/null && break; sleep 1; done
sleep 15 # JIT warm-up and the first samples

ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$AGENT/status"; }
cpu_pct() { # seconds -> % of one core used by the agent over that window
  local t0 t1; t0=$(ticks); sleep "$1"; t1=$(ticks)
  awk -v d=$((t1 - t0)) -v hz="$HZ" -v s="$1" 'BEGIN {printf "%.2f", 100 * d / hz / s}'
}
metric_sum() { curl -fsS 127.0.0.1:18888/metrics | { grep -E "$1" || true; } | awk '{s += $2} END {printf "%d", s}'; }

echo "idle for ${SECS}s" >&2
IDLE_CPU=$(cpu_pct "$SECS"); IDLE_RSS=$(rss_mb)
LOST0=$(metric_sum 'counter="events_lost(_queue)?"'); FULL0=$(metric_sum 'counter="map_full')
echo "storm at ${RATE}/s for ${SECS}s" >&2
"$WORK/connstorm" -p 17777 -r "$RATE" -d "$SECS" >"$WORK/storm.out" &
STORM=$!
sleep 1
"$BPF_COST" $((SECS - 4)) >"$WORK/bpf-cost.out" 2>&1 &
COST=$!
STORM_CPU=$(cpu_pct $((SECS - 2))); STORM_RSS=$(rss_mb)
wait $STORM $COST
sleep 6 # one more sample so that the storm's closed connections are read
LOST=$(( $(metric_sum 'counter="events_lost(_queue)?"') - LOST0 )); FULL=$(( $(metric_sum 'counter="map_full') - FULL0 ))
cat <<EOF2
### Agent cost ($(date -u +%F), $(uname -r), $(nproc) cores)
Command: \`lab/overhead/agent-cost.sh --seconds $SECS --rate $RATE --probes $PROBES\`

| state | agent CPU (% of one core) | agent RSS (MB) |
| --- | --- | --- |
| idle | $IDLE_CPU | $IDLE_RSS |
| loopback storm: $(cat "$WORK/storm.out") | $STORM_CPU | $STORM_RSS |

Events lost during the storm (ring buffer full or agent queue full): $LOST; map-full updates: $FULL.

BPF programs during the storm (\`bpf-cost $((SECS - 4))\`):
\`\`\`
$(cat "$WORK/bpf-cost.out")
\`\`\`
EOF2
