#!/usr/bin/env bash
# Fault injection of the lab. One list of fault kinds (lab/faults.tsv) is shared with the diagnosis:
# kind, gala keyword (process|disk|network|cpu|memory), the host it hits, intensities, and the entity
# types accepted as the right root cause. Each fault has an _on and an _off that restores the host.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

lab_loopdev() { cat "$LAB_STATE/loopdev"; }
lab_majmin() { lsblk -ndo MAJ:MIN "$(lab_loopdev)" | tr -d ' '; }

fault_on() { # kind intensity
  local kind="$1" x="$2"
  case "$kind" in
    cpu_quota)   echo 100000 >"$(lab_cg db cpu)/cpu.cfs_period_us"
                 echo $((x * 1000)) >"$(lab_cg db cpu)/cpu.cfs_quota_us" ;;           # x = % of one core
    client_cpu)  echo 100000 >"$(lab_cg cli cpu)/cpu.cfs_period_us"
                 echo $((x * 1000)) >"$(lab_cg cli cpu)/cpu.cfs_quota_us" ;;
    cpu_noisy)   lab_exec db stress-ng --cpu "$x" --cpu-method matrixprod --quiet >/dev/null 2>&1 &
                 echo $! >"$LAB_STATE/noisy.pid" ;;                                      # x = workers
    io_throttle) echo "$(lab_majmin) $x" >"$(lab_cg db blkio)/blkio.throttle.write_iops_device" ;;  # x = IOPS
    io_contention) lab_exec db fio --name=gala-lab-contention --filename="$LAB_STATE/mnt-db/contention" \
                   --size=256M --rw=randwrite --bs=4k --direct=1 --ioengine=psync --numjobs="$x" \
                   --time_based --runtime=3600 --group_reporting >/dev/null 2>&1 &
                 echo $! >"$LAB_STATE/fio.pid" ;;                                         # x = jobs
    net_loss)    # In the db host's namespace, on its link: bridged traffic never passes the host's inet forward hook.
                 ip netns exec gala-lab-db nft -f - <<NFT
table inet $LAB_NFT_TABLE {
  chain in_drop {
    type filter hook input priority 0; policy accept;
    iifname "eth0" numgen random mod 1000 < $((x * 10)) counter drop
  }
  chain out_drop {
    type filter hook output priority 0; policy accept;
    oifname "eth0" numgen random mod 1000 < $((x * 10)) counter drop
  }
}
NFT
                 ;;                                                                       # x = % loss
    net_bw)      tc qdisc add dev gl-db root tbf rate "${x}kbit" burst 16kb latency 200ms ;;  # x = kbit/s
    mem_pressure) local cg; cg="$(lab_cg db memory)"
                 sync; echo 1 >/proc/sys/vm/drop_caches
                 echo $((x * 1024 * 1024)) >"$cg/memory.limit_in_bytes" ;;               # x = MiB limit
    listen_overflow) ip netns exec gala-lab-db sysctl -qw net.core.somaxconn=4
                 lab_exec cli "$(lab_pg_bin)/pgbench" -h "${LAB_IP[db]}" -U postgres -n -C -S -c "$x" -T 3600 postgres >/dev/null 2>&1 &
                 echo $! >"$LAB_STATE/storm.pid" ;;                                       # x = clients
    db_lock)     lab_exec cli "$(lab_pg_bin)/psql" -h "${LAB_IP[db]}" -U postgres -q -c \
                   "BEGIN; LOCK TABLE pgbench_branches IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($x); COMMIT;" postgres >/dev/null 2>&1 &
                 echo $! >"$LAB_STATE/lock.pid" ;;                                        # x = seconds held
    *) lab_die "unknown fault kind $kind (see lab/faults.tsv)" ;;
  esac
}

fault_off() { # kind
  local kind="$1"
  case "$kind" in
    cpu_quota)   echo -1 >"$(lab_cg db cpu)/cpu.cfs_quota_us" ;;
    client_cpu)  echo -1 >"$(lab_cg cli cpu)/cpu.cfs_quota_us" ;;
    cpu_noisy)   stop_pidfile noisy; pkill -f 'stress-ng --cpu' || true ;;
    io_throttle) echo "$(lab_majmin) 0" >"$(lab_cg db blkio)/blkio.throttle.write_iops_device" ;;
    io_contention) stop_pidfile fio; pkill -f gala-lab-contention || true; rm -f "$LAB_STATE/mnt-db/contention" ;;
    net_loss)    ip netns exec gala-lab-db nft delete table inet "$LAB_NFT_TABLE" 2>/dev/null || true ;;
    net_bw)      tc qdisc del dev gl-db root 2>/dev/null || true ;;
    mem_pressure) echo -1 >"$(lab_cg db memory)/memory.limit_in_bytes" ;;
    listen_overflow) stop_pidfile storm; ip netns exec gala-lab-db sysctl -qw net.core.somaxconn=4096 ;;
    db_lock)     stop_pidfile lock ;;
    *) lab_die "unknown fault kind $kind" ;;
  esac
}

stop_pidfile() {
  local f="$LAB_STATE/$1.pid"
  [ -f "$f" ] || return 0
  pkill -TERM -P "$(cat "$f")" 2>/dev/null || true
  kill -TERM "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}
