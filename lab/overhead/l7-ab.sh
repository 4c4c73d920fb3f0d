#!/usr/bin/env bash
# Redis and PostgreSQL throughput, p99 and CPU per request with the agent's l7 probe off vs on, interleaved
# A/B in one run (ABBA order), many rounds; medians, spread (min-max) and the on/off ratio. The agent keeps
# running; the probe is switched through its REST API, so "off" is the agent with the l7 programs detached.
# CPU per request: the server (cpuacct cgroup of redis-server / all postgres processes), the agent
# (/proc/<pid>/stat) and the l7 BPF programs (run_time_ns of the agent's program fds; that time is spent
# inside the server's and the client's syscalls, so it is part of, not added to, their CPU). Afterwards
# the l7 programs' own cost (../shared/tools/bpf-cost) for I/O filtered out early (redis not snooped) and
# captured (no snoopers). Run as root from the repository root:
#   lab/overhead/l7-ab.sh [--rounds 8] [--requests 100000] [--pg-seconds 8] [--pg-clients 4]
# Prints a markdown section for docs/benchmarks.md on stdout; progress on stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS=8 REQS=100000 PG_SECS=8 PG_CLIENTS=4
REDIS_PORT=16600 PG_PORT=16601 EXPORT_PORT=16602 CONTROL_PORT=16603
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --requests) REQS="$2"; shift 2 ;;
    --pg-seconds) PG_SECS="$2"; shift 2 ;;
    --pg-clients) PG_CLIENTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BPF_COST="${BPF_COST:-$ROOT/../shared/tools/bpf-cost}"
[ -x "$BPF_COST" ] || BPF_COST=/work/shared/tools/bpf-cost
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
JAR="$ROOT/gopher-agent/target/gopher-agent.jar"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
WORK="$(mktemp -d)"
chmod 755 "$WORK"
HZ=$(getconf CLK_TCK)
CG=/sys/fs/cgroup/cpuacct
STATS_OLD=$(cat /proc/sys/kernel/bpf_stats_enabled)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/pgdata/postmaster.pid" ] && kill "$(head -1 "$WORK/pgdata/postmaster.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  sleep 1
  rmdir "$CG/gt-bench-redis" "$CG/gt-bench-pg" 2>/dev/null || true
  echo "$STATS_OLD" >/proc/sys/kernel/bpf_stats_enabled
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$CG/gt-bench-redis" "$CG/gt-bench-pg"
echo 1 >/proc/sys/kernel/bpf_stats_enabled # run_time_ns of the agent's programs; restored on exit

# Servers, each in its own cpuacct cgroup so that exited postgres backends still count.
sh -c "echo \$\$ >$CG/gt-bench-redis/cgroup.procs; exec redis-server --port $REDIS_PORT --save '' --appendonly no --dir $WORK" \
  >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
mkdir "$WORK/pgdata" && chown postgres "$WORK/pgdata"
runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pgdata" --auth=trust -U postgres >"$WORK/initdb.log" 2>&1
sh -c "echo \$\$ >$CG/gt-bench-pg/cgroup.procs; exec runuser -u postgres -- $PG_BIN/postgres -D $WORK/pgdata \
  -p $PG_PORT -k $WORK/pgdata -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" >"$WORK/pg.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $PG_PORT && break; sleep 1; done
createdb -h 127.0.0.1 -p $PG_PORT -U postgres bench
pgbench -i -q -s 10 -h 127.0.0.1 -p $PG_PORT -U postgres bench >"$WORK/pginit.log" 2>&1

java ${AGENT_JVM_OPTS:--Xms16m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+ExitOnOutOfMemoryError} -jar "$JAR" \
  --export 127.0.0.1:$EXPORT_PORT --control 127.0.0.1:$CONTROL_PORT --probes-init "$WORK/probes.init" --probes l7 \
  >"$WORK/agent.log" 2>&1 &
AGENT=$!
PIDS+=($AGENT)
for _ in $(seq 60); do curl -fsS -o /dev/null 127.0.0.1:$CONTROL_PORT/ 2>/dev/null && break; sleep 1; done

set_l7() { # running|stopped
  curl -fsS -o /dev/null -X PUT -d "{\"state\":\"$1\"}" "127.0.0.1:$CONTROL_PORT/l7"
  sleep 3
}
agent_ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
cg_ns() { cat "$CG/$1/cpuacct.usage"; }
bpf_ns() { # run_time_ns summed over the agent's own BPF programs (0 when none is loaded)
  { grep -h -E '^(prog_id|run_time_ns):' /proc/$AGENT/fdinfo/* 2>/dev/null || true; } \
    | awk '$1 == "prog_id:" {id = $2} $1 == "run_time_ns:" {t[id] = $2} END {for (i in t) s += t[i]; printf "%d\n", s}'
}
# measure CGROUP REQUESTS-FILE COMMAND...: runs the command (which prints "rps p99_ms requests" on its
# last line) and prints "rps p99_ms server_us agent_us bpf_us" per request.
measure() {
  local cg=$1 s0 a0 b0 s1 a1 b1 out; shift
  s0=$(cg_ns "$cg"); a0=$(agent_ticks); b0=$(bpf_ns)
  out=$("$@" | tail -1)
  s1=$(cg_ns "$cg"); a1=$(agent_ticks); b1=$(bpf_ns)
  # A probe switched off has no fds: the difference is only meaningful when both reads saw the programs.
  if [ "$b0" = 0 ] || [ "$b1" = 0 ]; then b1=$b0; fi
  echo "$out" | awk -v s=$((s1 - s0)) -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v hz="$HZ" \
    '{printf "%.0f %.3f %.2f %.2f %.2f\n", $1, $2, s / 1e3 / $3, a * 1e6 / hz / $3, b / 1e3 / $3}'
}
redis_run() { # clients -> "rps p99_ms requests", mean over SET and GET
  redis-benchmark -p $REDIS_PORT -t get,set -n "$REQS" -c "$1" --csv 2>/dev/null | tail -n +2 | tr -d '"' \
    | awk -F, -v n="$REQS" '{rps += $2; p99 += $7; k++} END {printf "%.0f %.3f %d\n", rps / k, p99 / k, n * k}'
}
pg_run() { # -> "tps p99_ms transactions"
  rm -f "$WORK"/pglog*
  local out
  out=$(cd "$WORK" && pgbench -n -S -h 127.0.0.1 -p $PG_PORT -U postgres -c "$PG_CLIENTS" -j 2 -T "$PG_SECS" \
    -l --log-prefix=pglog bench 2>/dev/null)
  local tps n p99
  tps=$(echo "$out" | awk '/^tps/ {print $3; exit}')
  n=$(echo "$out" | awk '/actually processed/ {print $NF}' | cut -d/ -f1)
  p99=$(cat "$WORK"/pglog* | awk '{print $3}' | sort -n | awk '{v[NR] = $1} END {printf "%.3f", v[int(NR * 0.99)] / 1e3}')
  echo "$tps $p99 $n"
}

redis-benchmark -p $REDIS_PORT -t get,set -n 50000 -c 50 -q >/dev/null # warm-up
pg_run >/dev/null
for f in r50 r100 pg; do : >"$WORK/$f.off"; : >"$WORK/$f.on"; done
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="stopped running"; else order="running stopped"; fi
  for s in $order; do
    set_l7 "$s"
    arm=$([ "$s" = stopped ] && echo off || echo on)
    measure gt-bench-redis redis_run 50 >>"$WORK/r50.$arm"
    measure gt-bench-redis redis_run 100 >>"$WORK/r100.$arm"
    measure gt-bench-pg pg_run >>"$WORK/pg.$arm"
    echo "round $r l7 $arm: r50 $(tail -1 "$WORK/r50.$arm") | r100 $(tail -1 "$WORK/r100.$arm") | pg $(tail -1 "$WORK/pg.$arm")" >&2
  done
done

# Per-program cost of the l7 programs under redis-benchmark load: captured (no snoopers: every TCP I/O
# is watched) and filtered out early (only an idle process snooped, so redis and its clients are not).
set_l7 running
OTHERS=$(bpftool prog show -j | python3 -c 'import json, sys; print(sum(1 for p in json.load(sys.stdin) if p.get("name", "").startswith("l7_")))')
OURS=$({ grep -h '^prog_id:' /proc/$AGENT/fdinfo/* 2>/dev/null || true; } | sort -u | wc -l)
cost() { # label
  redis-benchmark -p $REDIS_PORT -t get,set -n 100000000 -c 50 -q >/dev/null 2>&1 &
  local rb=$!
  sleep 2
  "$BPF_COST" 10 l7_ >"$WORK/cost.$1" 2>&1
  kill $rb 2>/dev/null; wait $rb 2>/dev/null || true
}
echo "bpf-cost: captured" >&2
cost captured
sleep 3600 &
IDLE=$!
PIDS+=($IDLE)
curl -fsS -o /dev/null -X PUT -d "{\"snoopers\": {\"proc_id\": [$IDLE]}, \"state\": \"running\"}" "127.0.0.1:$CONTROL_PORT/l7"
sleep 3
echo "bpf-cost: filtered" >&2
cost filtered
L7_COUNTERS=$(curl -fsS 127.0.0.1:$EXPORT_PORT/metrics | grep -E 'probe="l7"' | grep -E 'lost|full|drop' \
  | sed -E 's/.*counter="([^"]+)"\} ([0-9.e+]+).*/\1=\2/' || true)

stats() { # file column -> "median (min-max)"
  sort -g -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s (%s-%s)", m, v[1], v[NR]}'
}
median() { sort -g -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$(median "$WORK/$1.on" "$2")" -v b="$(median "$WORK/$1.off" "$2")" 'BEGIN {printf "%.3f", a / b}'; }
row() { # file-prefix label arm
  echo "| $2 | $3 | $(stats "$WORK/$1.$3" 1) | $(stats "$WORK/$1.$3" 2) | $(stats "$WORK/$1.$3" 3) | $(stats "$WORK/$1.$3" 4) | $(stats "$WORK/$1.$3" 5) |"
}
cat <<EOF2
### L7 probe off vs on ($(date -u +%F), $(uname -r), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)
Command: \`lab/overhead/l7-ab.sh --rounds $ROUNDS --requests $REQS --pg-seconds $PG_SECS --pg-clients $PG_CLIENTS\`
(redis-benchmark -t get,set -n $REQS, mean of the two tests per round; pgbench -n -S -h 127.0.0.1 -c $PG_CLIENTS -j 2 -T $PG_SECS,
scale 10, fsync off, p99 from its per-transaction log; ABBA interleaving; median (min-max) of $ROUNDS rounds.
CPU per request in us: server = redis-server or all postgres processes (cpuacct), agent = the agent JVM,
BPF = the l7 programs wherever they ran, already contained in the server's and the client's CPU.)

| workload | l7 | requests/s | p99 (ms) | server CPU/req | agent CPU/req | BPF/req |
| --- | --- | --- | --- | --- | --- | --- |
$(row r50 "redis, 50 connections" off)
$(row r50 "redis, 50 connections" on)
$(row r100 "redis, 100 connections" off)
$(row r100 "redis, 100 connections" on)
$(row pg "pgbench -S, $PG_CLIENTS clients" off)
$(row pg "pgbench -S, $PG_CLIENTS clients" on)

Ratios on/off of the medians: redis 50 connections throughput $(ratio r50 1), server CPU/req $(ratio r50 3);
redis 100 connections throughput $(ratio r100 1), server CPU/req $(ratio r100 3);
pgbench throughput $(ratio pg 1), server CPU/req $(ratio pg 3).

l7 programs under redis-benchmark -c 50 -t get,set (\`bpf-cost 10 l7_\`; programs named l7_* loaded in the
kernel: $OTHERS, of them the agent's: $OURS), every TCP I/O captured (no snoopers):
\`\`\`
$(cat "$WORK/cost.captured")
\`\`\`
filtered out early (snoopers: one idle process, so redis-server and redis-benchmark are not snooped):
\`\`\`
$(cat "$WORK/cost.filtered")
\`\`\`
l7 loss counters at the end: $( [ -n "$L7_COUNTERS" ] && echo $L7_COUNTERS || echo "none exported")
EOF2
