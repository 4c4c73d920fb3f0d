package io.gala.agent.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gala.agent.probe.ProbeConfig;
import io.gala.agent.probe.ProbeConfig.ProcName;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.probe.ProbeSpec;
import io.gala.agent.probe.ProbeState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * gala-gopher's probe configuration JSON ({@code {"cmd": {"probe": [...]}, "snoopers": {...},
 * "params": {...}, "state": "running"}}) to and from {@link ProbeConfig}. Parsing validates every
 * field and names the first bad one; sections left out of an update keep their current value.
 */
final class ProbeConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SECTIONS = Set.of("cmd", "snoopers", "params", "state");
  private static final Set<String> SNOOPERS =
      Set.of("proc_id", "proc_name", "container_id", "pod_id", "custom_labels");
  private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{12,64}");
  private static final Pattern POD_ID = Pattern.compile("[0-9A-Za-z._-]{1,128}");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");
  private static final int MAX_LIST = 1024;

  private ProbeConfigJson() {}

  /** Invalid probe configuration; the message names the field. */
  static final class InvalidConfig extends Exception {
    InvalidConfig(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses an update and merges it over current; throws naming the first bad field. */
  static ProbeConfig merge(ProbeSpec spec, ProbeConfig current, String text) throws InvalidConfig {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidConfig("body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidConfig("body must be a JSON object with cmd, snoopers, params or state");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!SECTIONS.contains(f)) {
        throw new InvalidConfig("unknown field " + f + "; allowed: cmd, snoopers, params, state");
      }
    }
    List<String> subprobes =
        root.has("cmd") ? subprobes(spec, root.get("cmd")) : current.subprobes();
    Snoopers snoopers = root.has("snoopers") ? snoopers(root.get("snoopers")) : current.snoopers();
    Map<String, Object> params = current.params();
    if (root.has("params")) {
      Map<String, Object> merged = new LinkedHashMap<>(params);
      merged.putAll(params(spec, root.get("params")));
      params = merged;
    }
    String state = current.state();
    if (root.has("state")) {
      JsonNode s = root.get("state");
      if (!s.isTextual()
          || !(s.asText().equals(ProbeConfig.RUNNING) || s.asText().equals(ProbeConfig.STOPPED))) {
        throw new InvalidConfig("state must be \"running\" or \"stopped\", not " + s);
      }
      state = s.asText();
    }
    return new ProbeConfig(subprobes, snoopers, params, state);
  }

  private static List<String> subprobes(ProbeSpec spec, JsonNode cmd) throws InvalidConfig {
    if (!cmd.isObject()) {
      throw new InvalidConfig("cmd must be an object like {\"probe\": [...]}");
    }
    for (Iterator<String> it = cmd.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("probe")) {
        throw new InvalidConfig(
            "unknown field cmd." + f + "; only cmd.probe is supported (probes are built in)");
      }
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : array(cmd.path("probe"), "cmd.probe")) {
      if (!n.isTextual() || !spec.subprobes().contains(n.asText())) {
        throw new InvalidConfig(
            "cmd.probe: unknown sub-probe "
                + n
                + " of "
                + spec.name()
                + "; known: "
                + spec.subprobes().stream().sorted().toList());
      }
      out.add(n.asText());
    }
    return out;
  }

  private static Snoopers snoopers(JsonNode s) throws InvalidConfig {
    if (!s.isObject()) {
      throw new InvalidConfig("snoopers must be an object");
    }
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!SNOOPERS.contains(f)) {
        throw new InvalidConfig("unknown field snoopers." + f + "; allowed: " + SNOOPERS);
      }
    }
    List<Long> procIds = new ArrayList<>();
    for (JsonNode n : array(s.path("proc_id"), "snoopers.proc_id")) {
      if (!n.canConvertToLong()
          || !n.isIntegralNumber()
          || n.asLong() <= 0
          || n.asLong() > 4_194_304) {
        throw new InvalidConfig("snoopers.proc_id: " + n + " is not a process id");
      }
      procIds.add(n.asLong());
    }
    List<ProcName> names = new ArrayList<>();
    for (JsonNode n : array(s.path("proc_name"), "snoopers.proc_name")) {
      if (!n.isObject()
          || !n.path("comm").isTextual()
          || n.path("comm").asText().isEmpty()
          || n.path("comm").asText().length() > 15) {
        throw new InvalidConfig(
            "snoopers.proc_name: each entry needs \"comm\" (1-15 characters), got " + n);
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!Set.of("comm", "cmdline", "debugging_dir").contains(f)) {
          throw new InvalidConfig("unknown field snoopers.proc_name[]." + f);
        }
      }
      String cmdline = n.path("cmdline").asText("");
      if (cmdline.length() > 256) {
        throw new InvalidConfig("snoopers.proc_name[].cmdline is longer than 256 characters");
      }
      names.add(new ProcName(n.get("comm").asText(), cmdline));
    }
    List<String> containers =
        strings(s.path("container_id"), "snoopers.container_id", CONTAINER_ID);
    List<String> pods = strings(s.path("pod_id"), "snoopers.pod_id", POD_ID);
    Map<String, String> custom = new LinkedHashMap<>();
    JsonNode cl = s.path("custom_labels");
    if (!cl.isMissingNode() && !cl.isNull()) {
      if (!cl.isObject()) {
        throw new InvalidConfig("snoopers.custom_labels must be an object of label name to value");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = cl.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!LABEL_NAME.matcher(e.getKey()).matches()
            || !e.getValue().isTextual()
            || e.getValue().asText().length() > 256) {
          throw new InvalidConfig(
              "snoopers.custom_labels."
                  + e.getKey()
                  + ": name must be a Prometheus label "
                  + "name and the value a string of at most 256 characters");
        }
        custom.put(e.getKey(), e.getValue().asText());
      }
    }
    return new Snoopers(procIds, names, containers, pods, custom);
  }

  private static Map<String, Object> params(ProbeSpec spec, JsonNode p) throws InvalidConfig {
    if (!p.isObject()) {
      throw new InvalidConfig("params must be an object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ProbeSpec.ParamSpec ps = spec.params().get(e.getKey());
      if (ps == null) {
        throw new InvalidConfig(
            "unknown param params."
                + e.getKey()
                + " for probe "
                + spec.name()
                + "; known: "
                + spec.params().keySet().stream().sorted().toList());
      }
      JsonNode v = e.getValue();
      Object value =
          v.isNumber() ? (Object) v.numberValue() : v.isTextual() ? v.asText() : v.toString();
      String problem = ps.check(value);
      if (problem != null) {
        throw new InvalidConfig(problem);
      }
      out.put(
          e.getKey(), value instanceof Number n && ps.numeric() ? (Object) n.longValue() : value);
    }
    return out;
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) throws InvalidConfig {
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new InvalidConfig(field + " must be an array");
    }
    if (n.size() > MAX_LIST) {
      throw new InvalidConfig(field + " has more than " + MAX_LIST + " entries");
    }
    return n;
  }

  private static List<String> strings(JsonNode n, String field, Pattern valid)
      throws InvalidConfig {
    List<String> out = new ArrayList<>();
    for (JsonNode e : array(n, field)) {
      if (!e.isTextual() || !valid.matcher(e.asText()).matches()) {
        throw new InvalidConfig(field + ": " + e + " does not match " + valid.pattern());
      }
      out.add(e.asText());
    }
    return out;
  }

  /**
   * The gala-gopher JSON of a probe's state: its config plus "state" (and "reason" when failed).
   */
  static String toJson(ProbeState state) {
    ObjectNode root = configNode(state.config());
    root.put("state", state.status().json());
    if (state.status() == ProbeState.Status.FAILED) {
      root.put("reason", state.reason());
    }
    return root.toString();
  }

  /** The config alone, as persisted in probes.init. */
  static String configJson(ProbeConfig config) {
    ObjectNode root = configNode(config);
    root.put("state", config.state());
    return root.toString();
  }

  private static ObjectNode configNode(ProbeConfig c) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode probes = root.putObject("cmd").putArray("probe");
    c.subprobes().forEach(probes::add);
    ObjectNode sn = root.putObject("snoopers");
    ArrayNode ids = sn.putArray("proc_id");
    c.snoopers().procIds().forEach(ids::add);
    ArrayNode names = sn.putArray("proc_name");
    c.snoopers()
        .procNames()
        .forEach(n -> names.addObject().put("comm", n.comm()).put("cmdline", n.cmdline()));
    ArrayNode cids = sn.putArray("container_id");
    c.snoopers().containerIds().forEach(cids::add);
    ArrayNode pids = sn.putArray("pod_id");
    c.snoopers().podIds().forEach(pids::add);
    ObjectNode custom = sn.putObject("custom_labels");
    c.snoopers().customLabels().forEach(custom::put);
    root.set("params", JSON.valueToTree(new java.util.TreeMap<>(c.params())));
    return root;
  }
}
