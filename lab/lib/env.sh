#!/usr/bin/env bash
# Builds the lab from real parts: two hosts (network namespaces joined by a bridge, each a cgroup of its
# own), Redis and PostgreSQL on the db host, PostgreSQL's data on a loop device so that blkio throttles
# reach its WAL fsyncs.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

lab_host_up() { # name
  local h="$1" ip="${LAB_IP[$1]}"
  ip netns add "gala-lab-$h"
  ip link add "gl-$h" type veth peer name eth0 netns "gala-lab-$h"
  ip link set "gl-$h" master "$LAB_BRIDGE" up
  ip -n "gala-lab-$h" addr add "$ip/24" dev eth0
  ip -n "gala-lab-$h" link set eth0 up
  ip -n "gala-lab-$h" link set lo up
  ip -n "gala-lab-$h" route add default via "$LAB_NET.1"
  for c in $LAB_CONTROLLERS; do mkdir -p "$(lab_cg "$h" "$c")"; done
}

lab_env_up() {
  mkdir -p "$LAB_STATE"
  ip link add "$LAB_BRIDGE" type bridge
  ip addr add "$LAB_NET.1/24" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  for c in $LAB_CONTROLLERS; do mkdir -p "/sys/fs/cgroup/$c/$LAB_CGROUP"; done
  lab_host_up db
  lab_host_up cli
  # The platform (agent, server, broker) gets a cgroup with a CPU cap: it must not become the noisy
  # neighbour on a 2-core machine. Its usage is reported with the results.
  for c in cpu cpuacct memory; do mkdir -p "$(lab_cg platform "$c")"; done
  echo 100000 >"$(lab_cg platform cpu)/cpu.cfs_period_us"
  echo "${LAB_PLATFORM_QUOTA_US:-50000}" >"$(lab_cg platform cpu)/cpu.cfs_quota_us"
}

lab_disk_up() { # loop device with ext4 for PostgreSQL's data
  truncate -s 1G "$LAB_STATE/db.img"
  local dev; dev=$(losetup -f --show "$LAB_STATE/db.img")
  echo "$dev" >"$LAB_STATE/loopdev"
  mkfs.ext4 -q -F "$dev"
  mkdir -p "$LAB_STATE/mnt-db"
  mount "$dev" "$LAB_STATE/mnt-db"
}

lab_pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

lab_apps_up() {
  lab_disk_up
  local ip="${LAB_IP[db]}" pgbin; pgbin="$(lab_pg_bin)"
  lab_exec db redis-server --bind "$ip" --port 6379 --protected-mode no --save '' --appendonly no --daemonize yes \
    --dir "$LAB_STATE" --logfile "$LAB_STATE/redis.log" --pidfile "$LAB_STATE/redis.pid"
  local data="$LAB_STATE/mnt-db/pg"
  mkdir -p "$data" && chown postgres: "$data"
  runuser -u postgres -- "$pgbin/initdb" -D "$data" -A trust -U postgres >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '$ip'
port = 5432
unix_socket_directories = '$LAB_STATE/mnt-db'
max_connections = 300
shared_buffers = 64MB
CONF
  echo "host all all $LAB_NET.0/24 trust" >>"$data/pg_hba.conf"
  chown -R postgres: "$LAB_STATE/mnt-db"
  lab_exec db runuser -u postgres -- "$pgbin/pg_ctl" -D "$data" -l "$LAB_STATE/mnt-db/pg.log" -w start >/dev/null
  lab_exec cli "$pgbin/pgbench" -h "$ip" -U postgres -i -s 10 -q postgres >/dev/null 2>&1
  for _ in $(seq 50); do redis-cli -h "$ip" ping >/dev/null 2>&1 && break; sleep 0.1; done
}
