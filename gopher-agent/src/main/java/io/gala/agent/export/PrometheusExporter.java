package io.gala.agent.export;

import io.gala.agent.http.HttpResponse;
import io.gala.agent.table.Row;
import io.gala.agent.table.TableDef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Serves the last completed sample as Prometheus text: rendered at the first scrape after a sample
 * and served as the same bytes to every later scrape until the next sample. Rendering is most of
 * the agent's idle CPU (a thousand connections give megabytes of text), so samples no one scrapes
 * (sample period shorter than the scrape interval) are never rendered. Each series carries the
 * sample's timestamp (configurable), so that Prometheus and Kafka consumers see the same instant.
 */
public final class PrometheusExporter implements SampleListener {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final SeriesStore store;
  private final boolean timestamps;
  private volatile Snapshot latest;
  private Snapshot rendered;
  private byte[] body = new byte[0];

  /** The rows current after one sample; immutable, so that a scrape thread may render it. */
  private record Snapshot(Map<TableDef, List<Row>> rows, String machineId, long timestampMillis) {}

  /**
   * @param ageOutMillis entities not refreshed for this long disappear (gala-ops: 60 s).
   */
  public PrometheusExporter(long ageOutMillis, boolean timestamps) {
    this.store = new SeriesStore(ageOutMillis);
    this.timestamps = timestamps;
  }

  @Override
  public void onSample(Sample sample) {
    latest =
        new Snapshot(store.update(sample), sample.identity().machineId(), sample.timestampMillis());
  }

  /** Time of the sample being served, or -1 before the first one. */
  public long sampleMillis() {
    Snapshot s = latest;
    return s == null ? -1 : s.timestampMillis();
  }

  /** The exposition text of the last sample. */
  public String text() {
    return new String(body(), StandardCharsets.UTF_8);
  }

  private synchronized byte[] body() {
    Snapshot s = latest;
    if (s != null && s != rendered) {
      body = new byte[0]; // the previous text may go while the next one is built
      StringBuilder out = new StringBuilder(64 * 1024);
      PrometheusText.render(out, s.rows(), s.machineId(), timestamps ? s.timestampMillis() : -1);
      // Encoded from the builder without an intermediate String; the builder can go before the
      // final array is filled (the text can be tens of megabytes).
      java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(out));
      out = null;
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      body = bytes;
      rendered = s;
    }
    return body;
  }

  /** The HTTP response for a scrape of {@code /metrics} (or {@code /}). */
  public HttpResponse scrape(String path) {
    if (!path.equals("/metrics") && !path.equals("/")) {
      return HttpResponse.text(404, "no such path " + path + "; metrics are at /metrics\n");
    }
    if (latest == null) {
      return HttpResponse.text(
          503, "no sample yet; the first arrives one sample period after start\n");
    }
    return new HttpResponse(200, CONTENT_TYPE, body());
  }
}
