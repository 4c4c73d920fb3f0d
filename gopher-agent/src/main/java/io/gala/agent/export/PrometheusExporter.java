package io.gala.agent.export;

import io.gala.agent.http.HttpResponse;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Serves the last completed sample as Prometheus text: rendered once per sample on the sampler thread,
 * served as the same bytes to every scrape until the next sample. Each series carries the sample's
 * timestamp (configurable), so that Prometheus and Kafka consumers see the same instant.
 */
public final class PrometheusExporter implements SampleListener {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final SeriesStore store;
  private final boolean timestamps;
  private volatile byte[] body = new byte[0];
  private volatile long sampleMillis = -1;

  /** @param ageOutMillis entities not refreshed for this long disappear (gala-ops: 60 s). */
  public PrometheusExporter(long ageOutMillis, boolean timestamps) {
    this.store = new SeriesStore(ageOutMillis);
    this.timestamps = timestamps;
  }

  @Override
  public void onSample(Sample sample) {
    Map<TableDef, List<Row>> current = store.update(sample);
    StringBuilder out = new StringBuilder(64 * 1024);
    PrometheusText.render(out, current, sample.identity().machineId(), timestamps ? sample.timestampMillis() : -1);
    body = out.toString().getBytes(StandardCharsets.UTF_8);
    sampleMillis = sample.timestampMillis();
  }

  /** Time of the sample being served, or -1 before the first one. */
  public long sampleMillis() {
    return sampleMillis;
  }

  /** The exposition text of the last sample. */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The HTTP response for a scrape of {@code /metrics} (or {@code /}). */
  public HttpResponse scrape(String path) {
    if (!path.equals("/metrics") && !path.equals("/")) {
      return HttpResponse.text(404, "no such path " + path + "; metrics are at /metrics\n");
    }
    if (sampleMillis < 0) {
      return HttpResponse.text(503, "no sample yet; the first arrives one sample period after start\n");
    }
    return new HttpResponse(200, CONTENT_TYPE, body);
  }
}
