#!/usr/bin/env bash
# Shared names of the gray-failure lab. Every artefact carries the gala-lab tag so that clean.sh can find
# it after a crash: netns gala-lab-*, bridge gala-lab-br, veths gl-*, nft table gala_lab, cgroups under
# gala-lab in every v1 controller, files under $LAB_STATE, loop devices backed by files there.
LAB_STATE="${LAB_STATE:-/var/tmp/gala-lab}"
LAB_BRIDGE=gala-lab-br
LAB_NET=10.77.0
LAB_NFT_TABLE=gala_lab
LAB_CGROUP=gala-lab
# The platform's embedded Kafka broker (and +1, its controller) on the host's loopback: the recording's source.
LAB_KAFKA_PORT="${LAB_KAFKA_PORT:-18990}"
LAB_CONTROLLERS="cpu cpuacct memory blkio pids"
declare -A LAB_IP=([db]=$LAB_NET.10 [cli]=$LAB_NET.20)

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: $*" >&2; exit 1; }

# cgroup v1 directory of a lab host in a controller.
lab_cg() { echo "/sys/fs/cgroup/$2/$LAB_CGROUP/$1"; }

# Runs a command inside a lab host: its network namespace and its cgroups.
lab_exec() {
  local host="$1"; shift
  local cgs=()
  for c in $LAB_CONTROLLERS; do cgs+=("$(lab_cg "$host" "$c")/cgroup.procs"); done
  # Join the cgroups first, then the namespace: `ip netns exec` remounts /sys, hiding /sys/fs/cgroup.
  sh -c 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f"; done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"' \
    lab "${cgs[@]}" -- ip netns exec "gala-lab-$host" "$@"
}
