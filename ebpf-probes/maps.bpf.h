/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GALA_MAPS_BPF_H
#define GALA_MAPS_BPF_H

#include <bpf/bpf_helpers.h>

/* Returns the value for key, inserting init first if absent. NULL only when the map is full; the
 * caller counts that, so that a full map shows as a metric rather than as silently missing data. */
static __always_inline void *lookup_or_try_init(void *map, const void *key, const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);
	if (val)
		return val;
	/* BPF_NOEXIST: a racing CPU may have inserted it; the lookup below then finds theirs. */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
