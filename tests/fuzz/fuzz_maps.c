/* libFuzzer target for the text parsers of symbolization: /proc/PID/maps and kallsyms.
 * Both read kernel text that should be well formed, but a parser that trusts its input is
 * one kernel change (or one bad fixture) away from a crash. Checks that what comes out
 * keeps the promises the callers rely on: sorted mappings, lookups inside the result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/syms.h"

static void check_maps(const uint8_t *data, size_t size)
{
	struct proc_maps *pm = proc_maps_parse((const char *)data, size);

	if (!pm)
		return;
	for (size_t i = 0; i < pm->count; i++) {
		const struct proc_map *m = &pm->maps[i];

		if (m->start >= m->end || (i && m->start < pm->maps[i - 1].start) ||
		    strlen(m->path) > size || strlen(m->perms) != 4)
			abort();
		if (proc_maps_find(pm, m->start) < 0)
			abort();
	}
	proc_maps_find(pm, 0);
	proc_maps_find(pm, UINT64_MAX);
	proc_maps_free(pm);
}

static void check_ksyms(const uint8_t *data, size_t size)
{
	struct ksyms *ks = ksyms_parse((const char *)data, size);
	struct sym s;
	uint64_t probe = 0;

	if (!ks)
		return;
	if (size >= 8)
		memcpy(&probe, data, 8);
	if (ksyms_lookup(ks, probe, &s) && (!s.name || !*s.name))
		abort();
	ksyms_lookup(ks, UINT64_MAX, &s);
	ksyms_addr(ks, "schedule");
	ksyms_free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_maps(data, size);
	check_ksyms(data, size);
	return 0;
}
