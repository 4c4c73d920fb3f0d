package io.gala.agent.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the agent knows about a probe before starting it: its name, how to make one, the sub-probes
 * ({@code cmd.probe}) and the params it accepts with their ranges, so that the control API can
 * refuse bad input without starting anything.
 */
public record ProbeSpec(
    String name, Supplier<Probe> factory, Set<String> subprobes, Map<String, ParamSpec> params) {
  /** Params every gala-gopher probe accepts (gala-compat.md, "Config shape"). */
  public static final List<ParamSpec> COMMON_PARAMS =
      List.of(
          ParamSpec.number("report_period", 5, 600),
          ParamSpec.number("sample_period", 100, 10_000),
          ParamSpec.number("latency_thr", 0, Integer.MAX_VALUE),
          ParamSpec.number("offline_thr", 0, Integer.MAX_VALUE),
          ParamSpec.number("drops_thr", 0, Integer.MAX_VALUE),
          ParamSpec.number("res_lower_thr", 0, 100),
          ParamSpec.number("res_upper_thr", 0, 100),
          ParamSpec.number("report_event", 0, 1),
          ParamSpec.number("metric_type", 0, Integer.MAX_VALUE),
          ParamSpec.text("env", 64),
          ParamSpec.text("l7_protocol", 256),
          ParamSpec.number("support_ssl", 0, 1));

  public ProbeSpec {
    subprobes = Set.copyOf(subprobes);
    params = Map.copyOf(params);
  }

  /** A spec with the common params plus the probe's own. */
  public static ProbeSpec of(
      String name, Supplier<Probe> factory, Set<String> subprobes, ParamSpec... own) {
    Map<String, ParamSpec> all = new LinkedHashMap<>();
    COMMON_PARAMS.forEach(p -> all.put(p.name(), p));
    for (ParamSpec p : own) {
      all.put(p.name(), p);
    }
    return new ProbeSpec(name, factory, subprobes, all);
  }

  /** A param: a number in [min, max], or a string of at most maxLength characters. */
  public record ParamSpec(String name, boolean numeric, long min, long max, int maxLength) {
    public static ParamSpec number(String name, long min, long max) {
      return new ParamSpec(name, true, min, max, 0);
    }

    public static ParamSpec text(String name, int maxLength) {
      return new ParamSpec(name, false, 0, 0, maxLength);
    }

    /** Null when the value is acceptable, else what is wrong with it. */
    public String check(Object value) {
      if (numeric) {
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
          return "params."
              + name
              + " must be an integer in ["
              + min
              + ", "
              + max
              + "], not "
              + value;
        }
        long v = n.longValue();
        return v < min || v > max
            ? "params." + name + " must be in [" + min + ", " + max + "], not " + v
            : null;
      }
      if (!(value instanceof String s)) {
        return "params." + name + " must be a string, not " + value;
      }
      return s.length() > maxLength
          ? "params." + name + " is longer than " + maxLength + " characters"
          : null;
    }
  }
}
