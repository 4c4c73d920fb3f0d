package io.gala.agent.probe.l7.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * A conversation with a real server, recorded by {@code src/test/resources/l7/record.py} as one
 * line per read ({@code C <hex>} from the client, {@code S <hex>} from the server), replayed into a
 * parser with the recorded chunking or a harder one.
 */
public final class Transcript {
  /** One recorded read. */
  public record Chunk(boolean fromClient, byte[] data) {}

  private final List<Chunk> chunks;

  private Transcript(List<Chunk> chunks) {
    this.chunks = chunks;
  }

  /** Loads {@code /l7/<name>} from the test classpath ({@code .gz} is decompressed). */
  public static Transcript load(String name) {
    try (InputStream raw = Transcript.class.getResourceAsStream("/l7/" + name)) {
      if (raw == null) {
        throw new IllegalArgumentException("no transcript /l7/" + name + " on the test classpath");
      }
      InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
      List<Chunk> chunks = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          chunks.add(
              new Chunk(line.charAt(0) == 'C', HexFormat.of().parseHex(line.substring(2).strip())));
        }
      }
      return new Transcript(chunks);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Transcript of(List<Chunk> chunks) {
    return new Transcript(List.copyOf(chunks));
  }

  public List<Chunk> chunks() {
    return chunks;
  }

  /** How reads are cut before they reach the parser. */
  public enum Cut {
    /** As recorded. */
    RECORDED,
    /** One byte per segment: every header straddles segments. */
    BYTES,
    /** Consecutive reads of one direction merged into one segment. */
    COALESCED
  }

  /** What a replay produced. */
  public record Result(List<Exchange> exchanges, int commitsWithoutRequest, StreamParser parser) {
    public long count(String api) {
      return exchanges.stream().filter(e -> e.api().equals(api)).count();
    }

    public int commits() {
      return commitsWithoutRequest + exchanges.stream().mapToInt(Exchange::commits).sum();
    }

    public long errors() {
      return exchanges.stream().filter(e -> e.status().isError()).count();
    }
  }

  /**
   * Feeds every chunk, cut as asked, each segment captured up to {@code capture} bytes (the rest is
   * a hole, as the kernel's bounded copy leaves it), 1 us apart; closes the parser at the end.
   */
  public Result replay(Function<ExchangeSink, StreamParser> factory, Cut cut, int capture) {
    List<Exchange> out = new ArrayList<>();
    int[] commits = new int[1];
    ExchangeSink sink =
        new ExchangeSink() {
          @Override
          public void accept(Exchange e) {
            out.add(e);
          }

          @Override
          public void commitsWithoutRequest(Protocol p, int n) {
            commits[0] += n;
          }
        };
    StreamParser parser = factory.apply(sink);
    long ts = 1_000;
    for (Chunk c : cut(cut)) {
      ts += 1_000;
      int captured = Math.min(capture, c.data().length);
      parser.feed(c.fromClient(), c.data(), 0, captured, c.data().length, ts);
    }
    parser.close();
    return new Result(out, commits[0], parser);
  }

  public Result replay(Function<ExchangeSink, StreamParser> factory, Cut cut) {
    return replay(factory, cut, Integer.MAX_VALUE);
  }

  private List<Chunk> cut(Cut cut) {
    List<Chunk> out = new ArrayList<>();
    switch (cut) {
      case RECORDED -> out.addAll(chunks);
      case BYTES -> {
        for (Chunk c : chunks) {
          for (byte b : c.data()) {
            out.add(new Chunk(c.fromClient(), new byte[] {b}));
          }
        }
      }
      case COALESCED -> {
        for (Chunk c : chunks) {
          if (!out.isEmpty() && out.get(out.size() - 1).fromClient() == c.fromClient()) {
            Chunk last = out.remove(out.size() - 1);
            byte[] merged = new byte[last.data().length + c.data().length];
            System.arraycopy(last.data(), 0, merged, 0, last.data().length);
            System.arraycopy(c.data(), 0, merged, last.data().length, c.data().length);
            out.add(new Chunk(c.fromClient(), merged));
          } else {
            out.add(c);
          }
        }
      }
      default -> throw new IllegalArgumentException(cut.toString());
    }
    return out;
  }
}
