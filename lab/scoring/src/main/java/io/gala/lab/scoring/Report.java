package io.gala.lab.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Case scores summarised per baseline, overall, per fault kind and per application: AC@1, AC@3,
 * Avg@5 over the scored cases (faults that hurt the client), the same AC@1 with the onset given,
 * the share detected, time to detect and to root cause (median and p90, seconds), and false alarms
 * per hour of fault-free time. The platform's own diagnosis has a row that stays "pending" until it
 * exists.
 */
public final class Report {
  static final List<String> COLUMNS =
      List.of(
          "baseline",
          "group",
          "cases",
          "AC@1",
          "AC@3",
          "Avg@5",
          "AC@1 onset given",
          "detected",
          "TTD p50 s",
          "TTD p90 s",
          "TTRC p50 s",
          "TTRC p90 s",
          "false alarms/h",
          "fault-free h");

  /** One line of the table; numbers already formatted, "-" where there is nothing to measure. */
  public record Line(Map<String, String> cells) {}

  private final List<Line> lines = new ArrayList<>();
  private final List<String> notScored = new ArrayList<>();

  public static Report of(List<CaseScore> scores) {
    Report r = new Report();
    List<String> baselines = scores.stream().map(CaseScore::baseline).distinct().toList();
    List<String> groups = new ArrayList<>();
    groups.add("all");
    new TreeSet<>(scores.stream().map(CaseScore::fault).toList())
        .forEach(f -> groups.add("fault " + f));
    new TreeSet<>(scores.stream().map(CaseScore::app).toList())
        .forEach(a -> groups.add("app " + a));
    for (String g : groups) {
      for (String b : baselines) {
        Predicate<CaseScore> in =
            c ->
                c.baseline().equals(b)
                    && (g.equals("all")
                        || g.equals("fault " + c.fault())
                        || g.equals("app " + c.app()));
        r.lines.add(line(b, g, scores.stream().filter(in).toList()));
      }
      if (g.equals("all")) {
        Map<String, String> pending = new LinkedHashMap<>();
        COLUMNS.forEach(c -> pending.put(c, "pending"));
        pending.put("baseline", "gala (platform)");
        pending.put("group", "all");
        r.lines.add(new Line(pending));
      }
    }
    scores.stream()
        .filter(c -> !c.scored() && !c.fault().equals("none"))
        .map(CaseScore::caseId)
        .distinct()
        .forEach(r.notScored::add);
    return r;
  }

  private static Line line(String baseline, String group, List<CaseScore> cs) {
    List<CaseScore> scored = cs.stream().filter(CaseScore::scored).toList();
    int n = scored.size();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("baseline", baseline);
    m.put("group", group);
    m.put("cases", Integer.toString(n));
    double avg5 = 0;
    for (int k = 1; k <= 5; k++) {
      avg5 += share(scored, k);
    }
    m.put("AC@1", n == 0 ? "-" : fmt(share(scored, 1)));
    m.put("AC@3", n == 0 ? "-" : fmt(share(scored, 3)));
    m.put("Avg@5", n == 0 ? "-" : fmt(avg5 / 5));
    m.put(
        "AC@1 onset given",
        n == 0 ? "-" : fmt(scored.stream().filter(c -> c.onsetWithin(1)).count() / (double) n));
    m.put("detected", n == 0 ? "-" : scored.stream().filter(CaseScore::detected).count() + "/" + n);
    double[] ttd =
        scored.stream().filter(CaseScore::detected).mapToDouble(c -> c.ttdMs() / 1000.0).toArray();
    double[] ttrc =
        scored.stream()
            .filter(c -> c.ttrcMs() >= 0)
            .mapToDouble(c -> c.ttrcMs() / 1000.0)
            .toArray();
    m.put("TTD p50 s", percentile(ttd, 50));
    m.put("TTD p90 s", percentile(ttd, 90));
    m.put("TTRC p50 s", percentile(ttrc, 50));
    m.put("TTRC p90 s", percentile(ttrc, 90));
    long ffMs = cs.stream().mapToLong(CaseScore::faultFreeMs).sum();
    int fa = cs.stream().mapToInt(CaseScore::falseAlarms).sum();
    m.put(
        "false alarms/h",
        ffMs == 0 ? "-" : String.format(Locale.ROOT, "%.1f", fa * 3_600_000.0 / ffMs));
    m.put("fault-free h", String.format(Locale.ROOT, "%.3f", ffMs / 3_600_000.0));
    return new Line(m);
  }

  private static double share(List<CaseScore> scored, int k) {
    return scored.isEmpty()
        ? 0
        : scored.stream().filter(c -> c.within(k)).count() / (double) scored.size();
  }

  /** Nearest-rank percentile, "-" for no values. */
  static String percentile(double[] v, int p) {
    if (v.length == 0) {
      return "-";
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int idx = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return String.format(Locale.ROOT, "%.0f", s[Math.max(0, idx)]);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  public List<Line> lines() {
    return List.copyOf(lines);
  }

  /** The cell of a baseline and group, for tests and callers. */
  public String cell(String baseline, String group, String column) {
    for (Line l : lines) {
      if (l.cells().get("baseline").equals(baseline) && l.cells().get("group").equals(group)) {
        return l.cells().get(column);
      }
    }
    throw new IllegalArgumentException("no line for baseline " + baseline + " and group " + group);
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n");
    sb.append("|").append(" --- |".repeat(COLUMNS.size())).append('\n');
    for (Line l : lines) {
      sb.append("| ");
      for (String c : COLUMNS) {
        sb.append(l.cells().get(c)).append(" | ");
      }
      sb.setLength(sb.length() - 1);
      sb.append('\n');
    }
    if (!notScored.isEmpty()) {
      sb.append("\nNot scored (the fault did not hurt the client): ")
          .append(String.join(", ", notScored))
          .append('\n');
    }
    return sb.toString();
  }

  public String csv() {
    StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
    for (Line l : lines) {
      List<String> row = new ArrayList<>();
      COLUMNS.forEach(c -> row.add(l.cells().get(c)));
      sb.append(String.join(",", row)).append('\n');
    }
    return sb.toString();
  }

  /** Per case and baseline, for reading the details behind the table. */
  public static String casesCsv(List<CaseScore> scores) {
    StringBuilder sb =
        new StringBuilder(
            "baseline,case,app,fault,scored,rank,onset_rank,ttd_ms,ttrc_ms,false_alarms,fault_free_ms,top\n");
    for (CaseScore c : scores) {
      sb.append(
              String.join(
                  ",",
                  c.baseline(),
                  c.caseId(),
                  c.app(),
                  c.fault(),
                  Boolean.toString(c.scored()),
                  Integer.toString(c.rank()),
                  Integer.toString(c.onsetRank()),
                  Long.toString(c.ttdMs()),
                  Long.toString(c.ttrcMs()),
                  Integer.toString(c.falseAlarms()),
                  Long.toString(c.faultFreeMs()),
                  '"' + c.top().replace("\"", "'") + '"'))
          .append('\n');
    }
    return sb.toString();
  }
}
