package io.gala.agent.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.NativeLongByReference;

/**
 * The libbpf 1.x C API as used by gala, bound through JNR-FFI to libbpf.so.1. Symbol names are
 * libbpf's own. Used only inside this package: the rest of the agent sees {@link BpfObject} and
 * friends.
 *
 * <p>libbpf 1.x returns negative errno from int functions and NULL with errno set from pointer
 * functions; {@link BpfException} turns both into one exception type.
 */
public interface Libbpf {
  /** libbpf_print_fn_t: int (*)(enum libbpf_print_level level, const char *fmt, va_list args). */
  interface PrintFn {
    @Delegate
    int print(int level, Pointer fmt, Pointer vaList);
  }

  /** ring_buffer_sample_fn: int (*)(void *ctx, void *data, size_t size). */
  interface SampleFn {
    @Delegate
    int sample(Pointer ctx, Pointer data, long size);
  }

  Pointer libbpf_set_print(PrintFn fn);

  int libbpf_num_possible_cpus();

  int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

  Pointer bpf_object__open(@In String path);

  int bpf_object__load(Pointer obj);

  void bpf_object__close(Pointer obj);

  Pointer bpf_object__btf(Pointer obj);

  Pointer bpf_object__next_program(Pointer obj, Pointer prev);

  Pointer bpf_object__next_map(Pointer obj, Pointer prev);

  Pointer bpf_object__find_map_by_name(Pointer obj, @In String name);

  Pointer bpf_object__find_program_by_name(Pointer obj, @In String name);

  String bpf_program__name(Pointer prog);

  String bpf_program__section_name(Pointer prog);

  int bpf_program__set_autoload(Pointer prog, boolean autoload);

  boolean bpf_program__autoload(Pointer prog);

  int bpf_program__fd(Pointer prog);

  Pointer bpf_program__attach(Pointer prog);

  Pointer bpf_program__attach_iter(Pointer prog, Pointer opts);

  Pointer bpf_program__attach_uprobe(
      Pointer prog, boolean retprobe, int pid, @In String binaryPath, long funcOffset);

  Pointer bpf_program__attach_cgroup(Pointer prog, int cgroupFd);

  int bpf_link__fd(Pointer link);

  int bpf_link__destroy(Pointer link);

  String bpf_map__name(Pointer map);

  int bpf_map__fd(Pointer map);

  int bpf_map__type(Pointer map);

  int bpf_map__key_size(Pointer map);

  int bpf_map__value_size(Pointer map);

  int bpf_map__max_entries(Pointer map);

  int bpf_map__set_max_entries(Pointer map, int maxEntries);

  Pointer bpf_map__initial_value(Pointer map, @Out NativeLongByReference size);

  int bpf_map_lookup_elem(int fd, @In Pointer key, @Out Pointer value);

  int bpf_map_update_elem(int fd, @In Pointer key, @In Pointer value, long flags);

  int bpf_map_delete_elem(int fd, @In Pointer key);

  int bpf_map_get_next_key(int fd, @In Pointer key, @Out Pointer nextKey);

  int bpf_map_lookup_batch(
      int fd,
      @In Pointer inBatch,
      @Out Pointer outBatch,
      @Out Pointer keys,
      @Out Pointer values,
      Pointer count,
      @In Pointer opts);

  int bpf_iter_create(int linkFd);

  Pointer ring_buffer__new(int mapFd, SampleFn fn, Pointer ctx, Pointer opts);

  int ring_buffer__poll(Pointer rb, int timeoutMs);

  int ring_buffer__consume(Pointer rb);

  void ring_buffer__free(Pointer rb);

  Pointer btf__load_vmlinux_btf();

  void btf__free(Pointer btf);

  int btf__find_by_name_kind(Pointer btf, @In String name, int kind);

  Pointer btf__type_by_id(Pointer btf, int id);

  String btf__name_by_offset(Pointer btf, int offset);

  long btf__resolve_size(Pointer btf, int typeId);
}
