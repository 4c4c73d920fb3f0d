#!/usr/bin/env bash
# The gray-failure lab runner: ./gala lab run <suite> [--seed N] [--out DIR] [--no-platform]
# For each case of the suite (lab/suites/<suite>.txt: "app fault intensity-index repetitions", or
# "app none <variant> repetitions" for fault-free runs), in an order shuffled by the seed: clean, build
# the environment, start the apps and an open-loop load at half of the measured capacity, start the gala
# platform (one agent per lab host, scoped to its namespace, in a CPU-capped cgroup), then warm-up,
# a fault-free period, the fault at a random moment for a set time, recovery. The client SLI is kept per
# second (sli.csv: unix_ms,sent,ok,errors,p50_us,p99_us,max_us; for PostgreSQL p50 is the mean and
# p99 the maximum of latency + schedule lag, as pgbench aggregates give no percentiles); the ground
# truth goes to truth/, which only the scorer reads. Each case directory is a recording: the agents'
# protobuf batches as the platform's Kafka broker received them (records.bin) plus manifest.json (what the
# analysis may know); the run ends by replaying them through the baselines into scores/ (./gala lab replay).
set -euo pipefail
LAB="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$LAB/.." && pwd)"
. "$LAB/lib/common.sh"; . "$LAB/lib/env.sh"; . "$LAB/lib/faults.sh"; . "$LAB/lib/clean.sh"

SUITE="${1:?usage: ./gala lab run <suite> [--seed N] [--out DIR] [--no-platform]}"; shift
SEED=$RANDOM OUT="" PLATFORM=1
SAMPLE_MS="${LAB_SAMPLE_MS:-5000}"  # the agents' sample period, recorded in the manifest
WARMUP="${LAB_WARMUP_S:-20}" CALM="${LAB_CALM_S:-60}" FAULT="${LAB_FAULT_S:-60}" RECOVERY="${LAB_RECOVERY_S:-30}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-platform) PLATFORM=0; shift ;;
    *) lab_die "unknown option $1" ;;
  esac
done
SUITE_FILE="$LAB/suites/$SUITE.txt"
[ -f "$SUITE_FILE" ] || lab_die "no suite $SUITE (files in $LAB/suites)"
OUT="${OUT:-$ROOT/lab/results/$(date -u +%Y%m%dT%H%M%SZ)-$SUITE}"
mkdir -p "$OUT/cases" "$OUT/truth"
TOOLS="$OUT/.tools"; mkdir -p "$TOOLS"
gcc -O2 -o "$TOOLS/redisload" "$LAB/tools/redisload.c"
RANDOM=$SEED
AGENT_VERSION="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"

# Expand the suite into cases, then shuffle them with the seed.
mapfile -t CASES < <(grep -v '^#' "$SUITE_FILE" | awk 'NF >= 4 {for (r = 1; r <= $4; r++) print $1, $2, $3, r}')
for ((i = ${#CASES[@]} - 1; i > 0; i--)); do j=$((RANDOM % (i + 1))); t="${CASES[i]}"; CASES[i]="${CASES[j]}"; CASES[j]="$t"; done

intensity_of() { # kind index -> value from faults.tsv
  awk -F'\t' -v k="$1" -v i="$2" '$1 == k {split($6, v, ","); print v[i]}' "$LAB/faults.tsv"
}
# The processes a fault is aimed at (a regex on the proc entity's comm label), for the ground truth. A
# limit on the db host's cgroup (cpu_quota, mem_pressure) hits every process in it, Redis and PostgreSQL
# alike, so any of them is a right answer (the cgroup is "the container"); otherwise the app's server, the
# neighbour or the client. Empty where the root cause is not a process.
target_comm() { # kind app
  local server; server=$([ "$2" = redis ] && echo redis-server || echo postgres)
  case "$1" in
    cpu_quota|mem_pressure) echo "redis-server|postgres" ;;
    listen_overflow|db_lock) echo "$server" ;;
    cpu_noisy) echo "stress-ng.*" ;;
    io_contention) echo "fio" ;;
    client_cpu) echo "redisload|pgbench" ;;
    *) echo "" ;;
  esac
}

fault_field() { awk -F'\t' -v k="$1" -v f="$2" '$1 == k {print $f}' "$LAB/faults.tsv"; }

capacity() { # app -> requests/s (redis) or tps (pgsql) measured for 5 s from the client host
  if [ "$1" = redis ]; then
    lab_exec cli redis-benchmark -h "${LAB_IP[db]}" -t get,set -c 16 -n 100000 -d 1024 --csv 2>/dev/null \
      | tail -n +2 | tr -d '"' | awk -F, '{s += $2; n++} END {printf "%d", s / n}'
  else
    lab_exec cli "$(lab_pg_bin)/pgbench" -h "${LAB_IP[db]}" -U postgres -n -c 8 -T 5 postgres 2>/dev/null \
      | awk '/^tps/ {printf "%d", $3}'
  fi
}

start_load() { # app rate seconds csv
  if [ "$1" = redis ]; then
    # Output away from the caller's pipe: $(start_load ...) would otherwise wait for the load to end.
    lab_exec cli "$TOOLS/redisload" -h "${LAB_IP[db]}" -p 6379 -r "$2" -c 16 -d "$3" -o "$4" >/dev/null 2>&1 &
  else
    # pgbench -R is open loop: transactions are scheduled, and latency + lag is counted from the schedule.
    # Per-second aggregates go to sli-pgb.* and are turned into sli.csv by pg_sli when the load ends.
    lab_exec cli "$(lab_pg_bin)/pgbench" -h "${LAB_IP[db]}" -U postgres -n -c 8 -j 2 -R "$2" -T "$3" \
      -l --aggregate-interval=1 --log-prefix="${4%.csv}-pgb" postgres >/dev/null 2>&1 &
  fi
  echo $!
}

pg_sli() { # case dir: pgbench's per-second aggregates (one file per thread) -> sli.csv
  # Columns with -R: start count sum_lat sum_lat2 min_lat max_lat sum_lag sum_lag2 min_lag max_lag (us).
  cat "$1"/sli-pgb.* 2>/dev/null | awk '{n[$1] += $2; s[$1] += $3 + $7; m = $6 + $10; if (m > mx[$1]) mx[$1] = m}
    END {for (t in n) printf "%d,%d,%d,0,%.0f,%.0f,%.0f\n", t * 1000, n[t], n[t], n[t] ? s[t] / n[t] : 0, mx[t], mx[t]}' \
    | sort -n >"$1/sli.csv"
}

platform_up() { # case dir
  [ "$PLATFORM" = 1 ] || return 0
  local jar="$ROOT/gopher-agent/target/gopher-agent.jar" broker="$ROOT/kafka-broker/target/kafka-broker.jar"
  [ -f "$jar" ] && [ -f "$broker" ] || (cd "$ROOT" && mvn -B -q -DskipTests package -pl gopher-agent,kafka-broker -am)
  # The recording: the agents send their batches to an embedded broker of the platform (one per case, data
  # under $LAB_STATE, so that lab_clean removes it); record_case copies them out when the case ends.
  in_platform java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$broker" --dir "$LAB_STATE/kafka" \
    --port "$LAB_KAFKA_PORT" --controller-port $((LAB_KAFKA_PORT + 1)) >"$1/broker.log" 2>&1 &
  echo $! >>"$LAB_STATE/platform.pids"
  local port=18900
  for h in db cli; do
    port=$((port + 1))
    printf '{"kafka": {"bootstrap_servers": "127.0.0.1:%s", "linger_ms": 200}}\n' "$LAB_KAFKA_PORT" >"$1/agent-$h.json"
    in_platform java -Xmx200m -XX:+UseSerialGC -jar "$jar" --config "$1/agent-$h.json" --netns "gala-lab-$h" \
      --machine-id "lab-$h" --sample-period-ms "$SAMPLE_MS" --export "127.0.0.1:$port" --control "127.0.0.1:$((port + 100))" \
      --probes-init "$1/probes-$h.init" >"$1/agent-$h.log" 2>&1 &
    echo $! >>"$LAB_STATE/platform.pids"
  done
  for _ in $(seq 240); do grep -q "broker ready" "$1/broker.log" 2>/dev/null && return 0; sleep 0.5; done
  lab_die "the lab's Kafka broker did not come up in 120 s; see $1/broker.log"
}

in_platform() { # command...: runs it in the platform's CPU-capped cgroup (cpuacct too: its CPU time is reported)
  sh -c 'for c in "$1" "$2" "$3"; do echo $$ >"$c/cgroup.procs"; done; shift 3; exec "$@"' lab \
    "$(lab_cg platform cpu)" "$(lab_cg platform cpuacct)" "$(lab_cg platform memory)" "$@"
}

record_case() { # case dir: the agents' protobuf batches as kcat wrote them (4-byte big-endian length + value)
  [ "$PLATFORM" = 1 ] || return 0
  local t
  for t in gala_records gala_events; do
    # A topic nobody wrote to (no events in the case) does not exist: an empty file then.
    if kcat -C -b "127.0.0.1:$LAB_KAFKA_PORT" -t "$t" -o beginning -e -q -f '%R%s' >"$1/${t#gala_}.bin" 2>"$1/kcat-$t.err" \
      || grep -q "Unknown topic" "$1/kcat-$t.err"; then
      rm -f "$1/kcat-$t.err"
    else
      lab_log "could not read topic $t (see $1/kcat-$t.err); the recording lacks it"
    fi
  done
}

platform_cpu_s() { awk '{printf "%.2f", $1 / 1e9}' "$(lab_cg platform cpuacct)/cpuacct.usage" 2>/dev/null || echo 0; }

damage() { # csv onset_ms end_ms calm_start_ms -> "p99_ratio tput_ratio"
  awk -F, -v on="$2" -v off="$3" -v c0="$4" '
    $1 >= c0 && $1 < on {cp[++nc] = $6; ct += $3; n1++}
    $1 >= on && $1 < off {fp[++nf] = $6; ft += $3; n2++}
    function med(a, n,   i, j, t) {for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) {t = a[i]; a[i] = a[j]; a[j] = t}; return n ? a[int((n + 1) / 2)] : 0}
    END {mc = med(cp, nc); mf = med(fp, nf); printf "%.2f %.2f", (mc > 0 ? mf / mc : 0), (n1 && n2 && ct > 0 ? (ft / n2) / (ct / n1) : 0)}' "$1"
}

echo "case,app,fault,intensity,rep,onset_ms,end_ms,p99_ratio,throughput_ratio,harmed,platform_cpu_s" >"$OUT/cases.csv"
trap 'lab_clean' EXIT
n=0
for c in "${CASES[@]}"; do
  read -r app kind idx rep <<<"$c"
  n=$((n + 1)); id=$(printf "%03d-%s-%s-%s-%s" "$n" "$app" "$kind" "$idx" "$rep")
  dir="$OUT/cases/$id"; mkdir -p "$dir"
  lab_log "case $id"
  lab_clean; lab_env_up; lab_apps_up
  # Half of the measured capacity for Redis; a third for PostgreSQL, whose 5-second measurement runs on
  # a fresh cache and overstates what it sustains (at a half its latency grew without a fault).
  cap=$(capacity "$app"); div=$([ "$app" = redis ] && echo 2 || echo 3); rate=$(( ${cap:-0} / div ))
  [ "$rate" -gt 0 ] || lab_die "could not measure $app capacity"
  platform_up "$dir"
  cpu0=$(platform_cpu_s)
  total=$((WARMUP + CALM + 30 + FAULT + RECOVERY))
  load=$(start_load "$app" "$rate" "$total" "$dir/sli.csv")
  t0=$(date +%s%3N)
  sleep $((WARMUP + CALM))
  jitter=$((RANDOM % 30)); sleep "$jitter"
  onset=$(date +%s%3N)
  if [ "$kind" != none ]; then
    x=$(intensity_of "$kind" "$idx")
    fault_on "$kind" "$x"
  else
    x="$idx"
    case "$idx" in
      load_x1.5) start_load "$app" $((rate / 2)) "$FAULT" "$dir/extra-load.csv" >/dev/null ;;
      benign_neighbour) fault_on cpu_noisy 1; sleep 0; ;;
      checkpoint) [ "$app" = redis ] && redis-cli -h "${LAB_IP[db]}" bgsave >/dev/null \
                  || lab_exec cli "$(lab_pg_bin)/psql" -h "${LAB_IP[db]}" -U postgres -qc checkpoint postgres ;;
      autovacuum) lab_exec cli "$(lab_pg_bin)/psql" -h "${LAB_IP[db]}" -U postgres -qc "vacuum analyze" postgres >/dev/null 2>&1 & ;;
    esac
  fi
  sleep "$FAULT"
  [ "$kind" != none ] && fault_off "$kind"
  [ "$idx" = benign_neighbour ] && fault_off cpu_noisy
  end=$(date +%s%3N)
  sleep "$RECOVERY"
  wait "$load" 2>/dev/null || true
  [ "$app" = pgsql ] && pg_sli "$dir"
  record_case "$dir"
  cpu1=$(platform_cpu_s)
  read -r p99r tputr <<<"$(damage "$dir/sli.csv" "$onset" "$end" $((t0 + WARMUP * 1000)))"
  harmed=$(awk -v p="$p99r" -v t="$tputr" 'BEGIN {print (p >= 1.5 || (t > 0 && t <= 0.9)) ? "yes" : "no"}')
  [ "$kind" = none ] && harmed=fault-free
  cat >"$OUT/truth/$id.json" <<JSON
{"case": "$id", "app": "$app", "fault": "$kind", "keyword": "$(fault_field "$kind" 2)", "label": "$(fault_field "$kind" 3)",
 "intensity": "$x", "host": "$(fault_field "$kind" 4)", "machine_id": "lab-$(fault_field "$kind" 4)",
 "onset_ms": $onset, "end_ms": $end, "accepted_entity_types": "$(fault_field "$kind" 7)",
 "target_comm": "$(target_comm "$kind" "$app")", "harmed": "$harmed", "p99_ratio": $p99r, "throughput_ratio": $tputr}
JSON
  # What the analysis may see: the recording's own times and the protocol, never the fault.
  cat >"$dir/manifest.json" <<JSON
{"case": "$id", "app": "$app", "seed": $SEED, "agent_version": "$AGENT_VERSION", "start_ms": $t0,
 "train_start_ms": $((t0 + WARMUP * 1000)), "train_end_ms": $((t0 + (WARMUP + CALM) * 1000)), "end_ms": $(date +%s%3N),
 "sample_period_ms": $SAMPLE_MS, "machine_ids": ["lab-db", "lab-cli"], "load_rate": $rate,
 "platform_cpu_s": $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.1f", b - a}'),
 "records": "records.bin", "events": "events.bin", "record_format": "kcat -f %R%s: 4-byte big-endian length, then one Kafka record value (io.gala.transport.BatchCodec)"}
JSON
  echo "$id,$app,$kind,$x,$rep,$onset,$end,$p99r,$tputr,$harmed,$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.1f", b - a}')" >>"$OUT/cases.csv"
  lab_log "case $id: p99 x$p99r, throughput x$tputr, harmed=$harmed"
done
lab_log "results in $OUT (cases.csv; recordings in cases/; ground truth in truth/)"
if [ "$PLATFORM" = 1 ]; then
  "$LAB/replay" "$OUT" --out "$OUT/scores" >/dev/null \
    && lab_log "scores in $OUT/scores (scores.md, scores.csv, case-scores.csv, plots/)" \
    || lab_log "scoring failed; run it again with: ./gala lab replay $OUT --out $OUT/scores"
fi
