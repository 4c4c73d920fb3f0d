#!/usr/bin/env bash
# Redis throughput and p99 with gala's probes off vs on, interleaved A/B in one run (ABBA order), many
# rounds; medians, spread (min-max) and the on/off ratio, plus server CPU time per request. The agent keeps
# running; probes are switched through its REST API, so "off" is the agent with no programs attached.
# Run as root from the repository root:
#   lab/overhead/redis-ab.sh [--rounds 10] [--requests 200000] [--clients 50] [--probes baseinfo,tcp,socket,io,proc,container]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS=10 REQS=200000 CLIENTS=50 PROBES=baseinfo,tcp,socket,io,proc,container PORT=16399
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --requests) REQS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --probes) PROBES="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
JAR="$ROOT/gopher-agent/target/gopher-agent.jar"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
WORK="$(mktemp -d)"
HZ=$(getconf CLK_TCK)
redis-server --port $PORT --save '' --appendonly no --daemonize no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS=$!
java ${AGENT_JVM_OPTS:--Xms16m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+ExitOnOutOfMemoryError} -jar "$JAR" --export 127.0.0.1:18889 --control 127.0.0.1:19998 \
  --probes-init "$WORK/probes.init" --probes "$PROBES" >"$WORK/agent.log" 2>&1 &
AGENT=$!
trap 'kill $AGENT $REDIS 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 60); do curl -fsS -o /dev/null 127.0.0.1:19998/ 2>/dev/null && break; sleep 1; done

set_probes() { # running|stopped
  for p in ${PROBES//,/ }; do
    curl -fsS -o /dev/null -X PUT -d "{\"state\":\"$1\"}" "127.0.0.1:19998/$p"
  done
  sleep 2
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench() { # -> "rps p99_ms cpu_us_per_req"
  local t0 t1 out
  t0=$(ticks $REDIS)
  out=$(redis-benchmark -p $PORT -t get,set -n "$REQS" -c "$CLIENTS" --csv 2>/dev/null | tail -n +2)
  t1=$(ticks $REDIS)
  # CSV: "test","rps","avg_latency_ms","min","p50","p95","p99","max"; mean over SET and GET.
  echo "$out" | tr -d '"' | awk -F, -v d=$((t1 - t0)) -v hz="$HZ" -v n="$REQS" \
    '{rps += $2; p99 += $7; k++} END {printf "%.0f %.3f %.2f\n", rps / k, p99 / k, 1e6 * d / hz / (n * k)}'
}
redis-benchmark -p $PORT -t get,set -n 50000 -c "$CLIENTS" -q >/dev/null # warm-up
: >"$WORK/off"; : >"$WORK/on"
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="stopped running"; else order="running stopped"; fi
  for s in $order; do
    set_probes "$s"
    res=$(bench)
    [ "$s" = stopped ] && echo "$res" >>"$WORK/off" || echo "$res" >>"$WORK/on"
    echo "round $r probes $s: $res" >&2
  done
done
stats() { # file column -> "median (min-max)"
  sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s (%s-%s)", m, v[1], v[NR]}'
}
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
RATIO=$(awk -v a="$(median "$WORK/on" 1)" -v b="$(median "$WORK/off" 1)" 'BEGIN {printf "%.3f", a / b}')
cat <<EOF2
### Redis with probes off vs on ($(date -u +%F), $(uname -r), $(nproc) cores)
Command: \`lab/overhead/redis-ab.sh --rounds $ROUNDS --requests $REQS --clients $CLIENTS --probes $PROBES\`
(redis-benchmark -t get,set, mean of the two tests per round; ABBA interleaving; median (min-max) of $ROUNDS rounds)

| probes | requests/s | p99 (ms) | redis CPU per request (us) |
| --- | --- | --- | --- |
| off | $(stats "$WORK/off" 1) | $(stats "$WORK/off" 2) | $(stats "$WORK/off" 3) |
| on ($PROBES) | $(stats "$WORK/on" 1) | $(stats "$WORK/on" 2) | $(stats "$WORK/on" 3) |

Throughput ratio on/off (medians): $RATIO
EOF2
