package io.gala.server.ingest;

import io.gala.transport.RecordView;
import io.gala.transport.proto.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a transport batch (gala.transport.v1.Batch with a records body, see proto/batch.proto) into
 * the server's wire-independent {@link IngestedBatch}: one record per row, stamped with the batch's
 * sample time, histograms with their bounds resolved.
 */
final class TransportBatches {
  private TransportBatches() {}

  /**
   * @throws IllegalArgumentException when the batch is well-formed protobuf but not a sensible
   *     batch (e.g. part 3 of 2): the caller counts it as undecodable
   */
  static IngestedBatch toIngested(Batch b) {
    List<IngestedRecord> records = new ArrayList<>();
    for (RecordView v : RecordView.of(b.getRecords())) {
      Map<String, IngestedHistogram> hists = new LinkedHashMap<>();
      v.histograms()
          .forEach(
              (name, h) ->
                  hists.put(
                      name,
                      new IngestedHistogram(
                          h.upperBounds().stream().mapToDouble(Double::doubleValue).toArray(),
                          h.counts().stream().mapToLong(Long::longValue).toArray(),
                          h.sum(),
                          h.count())));
      records.add(
          new IngestedRecord(
              b.getMachineId(),
              v.table(),
              v.entity(),
              b.getTimestampMs(),
              v.keys(),
              v.labels(),
              v.values(),
              hists));
    }
    int parts = Math.max(1, b.getParts());
    int part = b.getPart() == 0 ? 1 : b.getPart();
    return new IngestedBatch(
        b.getMachineId(), b.getAgentStartMs(), b.getSequence(), part, parts, records);
  }
}
