package io.gala.agent.event;

import static io.gala.agent.event.SubHealthRule.dropsOver;
import static io.gala.agent.event.SubHealthRule.increase;
import static io.gala.agent.event.SubHealthRule.latencyOver;
import static io.gala.agent.event.SubHealthRule.percentOver;

import io.gala.agent.event.SubHealthRule.Trigger;
import java.util.List;

/**
 * gala-gopher's abnormal-event checks that the agent's tables support (gala-compat.md,
 * "Sub-health"), with the reference's descriptions and thresholds: endpoint drops and overflows
 * fire on any increase; tcp_link and nic drops over {@code drops_thr}; latencies over {@code
 * latency_thr} ms; utilisations over {@code res_upper_thr} %. gala-gopher compares per-period
 * counts; gala's counters are cumulative, so the checks compare the increase since the previous
 * sample.
 */
public final class SubHealthRules {
  private SubHealthRules() {}

  public static final List<SubHealthRule> ALL =
      List.of(
          // endpointprobe (gala-ops probe "socket"), table endpoint_tcp
          increase("socket", "endpoint_tcp", "listendrop", "TCP listen drops({value})."),
          increase(
              "socket", "endpoint_tcp", "accept_overflow", "TCP accept queue overflow({value})."),
          increase("socket", "endpoint_tcp", "syn_overflow", "TCP syn queue overflow({value})."),
          increase(
              "socket",
              "endpoint_tcp",
              "retran_synacks",
              "TCP SYN/ACK retransmission occurs.({value})."),
          increase(
              "socket", "endpoint_tcp", "retran_syn", "TCP SYN retransmission occurs.({value})."),
          increase(
              "socket", "endpoint_tcp", "req_drops", "TCP request drops(listen closed).({value})."),
          increase(
              "socket", "endpoint_tcp", "passive_open_failed", "TCP passive open failed({value})."),
          increase(
              "socket", "endpoint_tcp", "active_open_failed", "TCP active open failed({value})."),
          // tcpprobe ("tcp"), table tcp_link
          increase("tcp", "tcp_link", "tcp_oom", "TCP out of memory({value})."),
          dropsOver("tcp", "tcp_link", "backlog_drops", "TCP backlog queue drops({value})."),
          dropsOver("tcp", "tcp_link", "filter_drops", "TCP filter drops({value})."),
          dropsOver(
              "tcp",
              "tcp_link",
              "sk_drops",
              "Number of lost packets in the TCP protocol stack({value})."),
          dropsOver(
              "tcp",
              "tcp_link",
              "lost_out",
              "Number of lost segments estimated by TCP congestion({value})."),
          dropsOver(
              "tcp",
              "tcp_link",
              "sacked_out",
              "Number of out-of-order TCP packets (SACK) or number of repeated TCP ACKs (NO SACK)({value})."),
          dropsOver("tcp", "tcp_link", "retran_packets", "TCP retransmissions({value})."),
          dropsOver("tcp", "tcp_link", "zero_rcv_wnd_count", "TCP zero receive windows({value})."),
          dropsOver("tcp", "tcp_link", "zero_snd_wnd_count", "TCP zero send windows({value})."),
          percentOver(
              "tcp",
              "tcp_link",
              List.of("zero_win_rx_ratio"),
              "TCP zero receive windows ratio {value}."),
          percentOver(
              "tcp",
              "tcp_link",
              List.of("zero_win_tx_ratio"),
              "TCP zero send windows ratio {value}."),
          latencyOver(
              "tcp",
              "tcp_link",
              "syn_srtt_max",
              Trigger.ABOVE,
              "TCP connection establish timed out({value} ms)."),
          // taskprobe ("proc"), table proc
          increase(
              "proc",
              "proc",
              "syscall_failed",
              "Process(COMM:{comm} PID:{pid}) syscall failed(COUNT:{value})."),
          increase(
              "proc", "proc", "hang_count", "Process(COMM:{comm} PID:{pid}) hang count {value}."),
          increase(
              "proc", "proc", "bio_err_count", "Process(COMM:{comm} PID:{pid}) bio error {value}."),
          latencyOver(
              "proc",
              "proc",
              "iowait_ns",
              Trigger.INCREASE,
              "Process(COMM:{comm} PID:{pid}) iowait {value} ms."),
          // ioprobe ("io"), table block
          latencyOver(
              "io",
              "block",
              "latency_req_max",
              Trigger.ABOVE,
              "IO latency occurred.(Disk {device}, {value} ms)"),
          increase("io", "block", "err_code", "IO errors occurred.(Disk {device}, {value})"),
          // system_infos ("baseinfo"): disk, fs, nic, cpu, mem
          percentOver("baseinfo", "disk", List.of("util"), "Disk device saturated({value}%)."),
          percentOver(
              "baseinfo",
              "fs",
              List.of("iuse_per", "IUsePer"),
              "Too many Inodes consumed({value}%)."),
          percentOver(
              "baseinfo", "fs", List.of("use_per", "UsePer"), "Too many Blocks used({value}%)."),
          dropsOver("baseinfo", "nic", "tx_dropped", "net device tx queue drops({value})."),
          dropsOver("baseinfo", "nic", "rx_dropped", "net device rx queue drops({value})."),
          dropsOver("baseinfo", "nic", "tx_errs", "net device tx queue errors({value})."),
          dropsOver("baseinfo", "nic", "rx_errs", "net device rx queue errors({value})."),
          percentOver(
              "baseinfo",
              "cpu",
              List.of("total_used_per", "util_per"),
              "Too high cpu utilization({value}%)."),
          percentOver("baseinfo", "mem", List.of("util"), "Too high mem utilization({value}%)."),
          percentOver(
              "baseinfo", "mem", List.of("swap_util"), "Too high swap utilization({value}%)."));
}
