#!/usr/bin/env bash
# Removes every lab artefact, also after a run killed with SIGKILL: processes in lab cgroups, cgroups,
# nftables table, qdiscs on lab veths, namespaces, bridge, mounts, loop devices, state files.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

lab_clean() {
  # Processes: everything in a lab cgroup, and anything still inside a lab namespace.
  for round in 1 2 3; do
    local pids=""
    for c in $LAB_CONTROLLERS; do
      [ -d "/sys/fs/cgroup/$c/$LAB_CGROUP" ] && pids+=" $(find "/sys/fs/cgroup/$c/$LAB_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null)"
    done
    for ns in $(ip netns list 2>/dev/null | awk '/^gala-lab-/ {print $1}'); do pids+=" $(ip netns pids "$ns" 2>/dev/null)"; done
    pids=$(echo $pids | tr ' ' '\n' | sort -u | tr '\n' ' ')
    [ -z "${pids// /}" ] && break
    # Unfreeze first: a frozen (SIGSTOP) process does not die of SIGTERM.
    kill -CONT $pids 2>/dev/null || true
    kill -"$([ $round = 1 ] && echo TERM || echo KILL)" $pids 2>/dev/null || true
    sleep 1
  done
  nft delete table inet "$LAB_NFT_TABLE" 2>/dev/null || true
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^gl-'); do
    tc qdisc del dev "$l" root 2>/dev/null || true
    ip link del "$l" 2>/dev/null || true
  done
  for ns in $(ip netns list 2>/dev/null | awk '/^gala-lab-/ {print $1}'); do ip netns del "$ns"; done
  ip link del "$LAB_BRIDGE" 2>/dev/null || true
  # cgroups: children before parents.
  for c in $LAB_CONTROLLERS; do
    [ -d "/sys/fs/cgroup/$c/$LAB_CGROUP" ] && find "/sys/fs/cgroup/$c/$LAB_CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ -d "$LAB_STATE" ]; then
    mountpoint -q "$LAB_STATE/mnt-db" && { umount "$LAB_STATE/mnt-db" || umount -l "$LAB_STATE/mnt-db"; }
    for dev in $(losetup -j "$LAB_STATE/db.img" -O NAME -n 2>/dev/null); do losetup -d "$dev"; done
    rm -rf "$LAB_STATE"
  fi
}

# Prints what is left; empty output means clean.
lab_leftovers() {
  ip netns list 2>/dev/null | grep '^gala-lab-' | sed 's/^/netns /'
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^(gl-|gala-lab-)' | sed 's/^/link /'
  nft list tables 2>/dev/null | grep "$LAB_NFT_TABLE" | sed 's/^/nft /'
  for c in $LAB_CONTROLLERS; do [ -d "/sys/fs/cgroup/$c/$LAB_CGROUP" ] && echo "cgroup $c/$LAB_CGROUP"; done
  mount | grep -F "$LAB_STATE" | sed 's/^/mount /'
  losetup -a 2>/dev/null | grep -F "$LAB_STATE" | sed 's/^/loop /'
  [ -e "$LAB_STATE" ] && echo "dir $LAB_STATE"
  true
}
