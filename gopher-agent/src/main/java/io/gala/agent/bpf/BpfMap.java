package io.gala.agent.bpf;

import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A loaded BPF map: whole-map reads in batches ({@code bpf_map_lookup_batch}, falling back to
 * get_next_key + lookup on kernels or map types without it), point lookups, updates and deletes.
 * Per-CPU maps hand the visitor one value per possible CPU, each {@link #valueStride()} bytes
 * apart.
 */
public final class BpfMap {
  private static final Logger LOG = Logger.getLogger(BpfMap.class.getName());
  private static final int BATCH = 1024;
  private static final int ENOENT = 2;
  private static final int BPF_MAP_TYPE_PERCPU_HASH = 5;
  private static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
  private static final int BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;

  /** Called once per entry; the pointers are valid only during the call. */
  @FunctionalInterface
  public interface EntryVisitor {
    void visit(Pointer key, Pointer value);
  }

  private final String object;
  private final String name;
  private final int fd;
  private final int keySize;
  private final int valueSize;
  private final int valueStride;
  private final int valueCopies;
  private final int type;
  private volatile boolean batchUnsupported;

  BpfMap(String object, Pointer map) {
    this.object = object;
    this.name = Native.LIBBPF.bpf_map__name(map);
    this.fd = Native.LIBBPF.bpf_map__fd(map);
    this.keySize = Native.LIBBPF.bpf_map__key_size(map);
    this.valueSize = Native.LIBBPF.bpf_map__value_size(map);
    this.type = Native.LIBBPF.bpf_map__type(map);
    boolean perCpu =
        type == BPF_MAP_TYPE_PERCPU_HASH
            || type == BPF_MAP_TYPE_PERCPU_ARRAY
            || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    this.valueCopies = perCpu ? Native.LIBBPF.libbpf_num_possible_cpus() : 1;
    this.valueStride = perCpu ? (valueSize + 7) & ~7 : valueSize;
  }

  public String name() {
    return name;
  }

  int fd() {
    return fd;
  }

  public int keySize() {
    return keySize;
  }

  public int valueSize() {
    return valueSize;
  }

  /** Bytes between two CPUs' values of a per-CPU map (the value size rounded up to 8). */
  public int valueStride() {
    return valueStride;
  }

  /** 1, or the number of possible CPUs for a per-CPU map. */
  public int valueCopies() {
    return valueCopies;
  }

  /** Fresh zeroed native memory for a key. */
  public Pointer newKey() {
    return Memory.allocateDirect(Native.RUNTIME, keySize, true);
  }

  /** Fresh zeroed native memory for a value (all CPUs' copies for a per-CPU map). */
  public Pointer newValue() {
    return Memory.allocateDirect(Native.RUNTIME, (long) valueStride * valueCopies, true);
  }

  /** Reads one entry into value; false when the key is absent. */
  public boolean lookup(Pointer key, Pointer value) {
    int rc = Native.LIBBPF.bpf_map_lookup_elem(fd, key, value);
    if (rc == -ENOENT) {
      return false;
    }
    BpfException.check(rc, "lookup in map " + name + " of", object);
    return true;
  }

  /**
   * For an array of u64 counters ({@code map_full} of every probe): entry {@code index} summed over
   * the CPUs' copies of a per-CPU map; 0 when absent.
   */
  public long sumOverCpus(int index) {
    Pointer key = newKey();
    Pointer value = newValue();
    key.putInt(0, index);
    if (!lookup(key, value)) {
      return 0;
    }
    long sum = 0;
    for (int cpu = 0; cpu < valueCopies; cpu++) {
      sum += value.getLong((long) cpu * valueStride);
    }
    return sum;
  }

  public void update(Pointer key, Pointer value) {
    BpfException.check(
        Native.LIBBPF.bpf_map_update_elem(fd, key, value, 0), "update map " + name + " of", object);
  }

  /** Deletes one entry; false when it was already gone. */
  public boolean delete(Pointer key) {
    int rc = Native.LIBBPF.bpf_map_delete_elem(fd, key);
    if (rc == -ENOENT) {
      return false;
    }
    BpfException.check(rc, "delete from map " + name + " of", object);
    return true;
  }

  /**
   * A per-CPU array of u64 counters (such as a probe's {@code map_full}) summed over CPUs: one
   * total per index, named by {@code names[index]} with the prefix.
   */
  public java.util.Map<String, Long> perCpuCounters(String prefix, String... names) {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      out.put(prefix + names[i], sumOverCpus(i));
    }
    return out;
  }

  /**
   * Visits every entry; returns how many. Entries added or removed meanwhile may or may not be
   * seen.
   */
  public int forEach(EntryVisitor visitor) {
    if (!batchUnsupported) {
      try {
        return forEachBatched(visitor);
      } catch (BatchUnsupported e) {
        batchUnsupported = true;
        LOG.info(
            () ->
                "map "
                    + name
                    + " of "
                    + object
                    + ": no batch lookup ("
                    + e.getMessage()
                    + "), reading entry by entry");
      }
    }
    return forEachByKey(visitor);
  }

  private static final class BatchUnsupported extends RuntimeException {
    BatchUnsupported(String message) {
      super(message, null, false, false);
    }
  }

  private int forEachBatched(EntryVisitor visitor) {
    int stride = valueStride * valueCopies;
    Pointer keys = Memory.allocateDirect(Native.RUNTIME, (long) keySize * BATCH);
    Pointer values = Memory.allocateDirect(Native.RUNTIME, (long) stride * BATCH);
    // The batch token is a bucket or index (u32 in the kernel); key-sized space is always enough.
    Pointer inBatch = Memory.allocateDirect(Native.RUNTIME, Math.max(8, keySize));
    Pointer outBatch = Memory.allocateDirect(Native.RUNTIME, Math.max(8, keySize));
    Pointer count = Memory.allocateDirect(Native.RUNTIME, 4);
    int total = 0;
    boolean first = true;
    while (true) {
      count.putInt(0, BATCH);
      int rc =
          Native.LIBBPF.bpf_map_lookup_batch(
              fd, first ? null : inBatch, outBatch, keys, values, count, null);
      int n = count.getInt(0);
      if (rc < 0 && rc != -ENOENT) {
        if (first && total == 0) {
          throw new BatchUnsupported(Errno.name(rc));
        }
        throw new BpfException("batch lookup in map " + name + " of", object, rc);
      }
      for (int i = 0; i < n; i++) {
        visitor.visit(
            keys.slice((long) i * keySize, keySize), values.slice((long) i * stride, stride));
      }
      total += n;
      if (rc == -ENOENT) {
        return total;
      }
      Pointer t = inBatch;
      inBatch = outBatch;
      outBatch = t;
      first = false;
    }
  }

  /** The fallback for kernels without batch lookup; package-private so that tests exercise it. */
  int forEachByKey(EntryVisitor visitor) {
    Pointer key = newKey();
    Pointer next = newKey();
    Pointer value = newValue();
    int total = 0;
    boolean first = true;
    while (Native.LIBBPF.bpf_map_get_next_key(fd, first ? null : key, next) == 0) {
      first = false;
      if (lookup(next, value)) {
        visitor.visit(next, value);
        total++;
      }
      Pointer t = key;
      key = next;
      next = t;
    }
    return total;
  }
}
