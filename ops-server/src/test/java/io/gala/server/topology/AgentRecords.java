package io.gala.server.topology;

import io.gala.server.ingest.IngestedBatch;
import io.gala.server.ingest.IngestedRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the records one agent sends in one sample, in the shapes of the agent's tables. */
final class AgentRecords {
  final String machineId;
  final long t;
  final List<IngestedRecord> records = new ArrayList<>();

  AgentRecords(String machineId, long t) {
    this.machineId = machineId;
    this.t = t;
  }

  AgentRecords proc(int tgid, String comm, int ppid) {
    return proc(tgid, comm, ppid, "");
  }

  AgentRecords proc(int tgid, String comm, int ppid, String containerId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("comm", comm);
    labels.put("cmdline", "/usr/bin/" + comm);
    labels.put("ppid", String.valueOf(ppid));
    labels.put("container_id", containerId);
    records.add(
        IngestedRecord.of(
            machineId,
            "system_proc",
            "proc",
            t,
            Map.of("tgid", String.valueOf(tgid)),
            labels,
            Map.of("cpu_util", 1.0)));
    return this;
  }

  /** A tcp_link as the agent of one end sees it (role "client" or "server"). */
  AgentRecords link(
      int tgid,
      String comm,
      String role,
      String clientIp,
      int clientPort,
      String serverIp,
      int serverPort) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("tgid", String.valueOf(tgid));
    keys.put("comm", comm);
    keys.put("role", role);
    keys.put("client_ip", clientIp);
    keys.put("toa_client_ip", "");
    keys.put("server_ip", serverIp);
    keys.put("client_port", String.valueOf(clientPort));
    keys.put("server_port", String.valueOf(serverPort));
    keys.put("protocol", "2");
    records.add(
        IngestedRecord.of(
            machineId,
            "tcp_metric",
            "tcp_link",
            t,
            keys,
            Map.of(),
            Map.of("rx_bytes", 100.0, "tx_bytes", 200.0)));
    return this;
  }

  AgentRecords block(String major, String minor, String blkName, String diskName) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("major", major);
    keys.put("first_minor", minor);
    records.add(
        IngestedRecord.of(
            machineId,
            "io_count",
            "block",
            t,
            keys,
            Map.of("blk_name", blkName, "disk_name", diskName),
            Map.of("read_bytes", 4096.0)));
    return this;
  }

  AgentRecords fs(String mount, String fsname, String fstype) {
    records.add(
        IngestedRecord.of(
            machineId,
            "system_df",
            "fs",
            t,
            Map.of("MountOn", mount),
            Map.of("Fsname", fsname, "Fstype", fstype),
            Map.of("UsePer", 10.0)));
    return this;
  }

  IngestedBatch batch() {
    return new IngestedBatch(machineId, 1, IngestedBatch.NO_SEQUENCE, records);
  }

  /** Sends the records as part {@code part} of {@code parts} of one sample. */
  void toAsPart(TopologyBuilder b, int part, int parts) {
    b.ingest(new IngestedBatch(machineId, 1, IngestedBatch.NO_SEQUENCE, part, parts, records), t);
  }

  /** Sends the records to the builder as received at server time {@code t}. */
  void to(TopologyBuilder b) {
    b.ingest(batch(), t);
  }
}
