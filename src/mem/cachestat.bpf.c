// SPDX-License-Identifier: GPL-2.0
/* cachestat, kernel side: page-cache accesses, insertions and dirtied pages from the
 * filemap and writeback tracepoints, counted in pages into one per-CPU array.
 *
 * What counts (see cachestat.c for the hit/miss arithmetic and the gaps):
 *   accessed    filemap:mm_filemap_get_pages   read(): pages index..last_index
 *               filemap:mm_filemap_map_pages   mmap fault-around: pages start..end
 *               filemap:mm_filemap_fault       mmap fault: one page
 *   added       filemap:mm_filemap_add_to_page_cache, once per folio: 1 << order pages
 *               (counting events instead undercounts by 100x under readahead)
 *   dirtied     writeback:writeback_dirty_folio: the folio's pages
 *   write_added added folios seen dirtied soon after (a write created them, no read
 *               missed), found through a small LRU hash of recently added folios
 * Cost: one per-CPU array update per event; an LRU hash insert per added folio and a
 * lookup per dirtied folio. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "mem/cachestat.h"

const volatile bool filter_pid = false; /* -p */
const volatile __u32 targ_pid = 0;
const volatile bool per_process = false; /* -P: also count per process */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cachestat_counts);
} counts SEC(".maps");

/* -P: the same counters per process (thread group), and each process's name. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct cachestat_counts);
} proc_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct cachestat_comm);
} comms SEC(".maps");

/* Folios added recently, so that a folio dirtied right after its insertion counts as
 * created by a write, not as a read miss. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);   /* struct folio * */
	__type(value, __u32); /* pages */
} recent_adds SEC(".maps");

/* Before 6.6 the order of a large folio was the byte _folio_order in the first tail page
 * ("mm: free up a word in the first tail page", which moved it to _flags_1). */
struct folio___old {
	unsigned char _folio_order;
};

static __always_inline __u32 folio_pages(struct folio *folio)
{
	unsigned long flags = 0, flags1 = 0;
	unsigned char order;

	/* flags is an unsigned long, or (6.17+) memdesc_flags_t wrapping one */
	bpf_core_read(&flags, sizeof(flags), &folio->flags);
	if (!(flags & (1ul << bpf_core_enum_value(enum pageflags, PG_head))))
		return 1;
	if (bpf_core_field_exists(folio->_flags_1)) {
		bpf_core_read(&flags1, sizeof(flags1), &folio->_flags_1);
		order = flags1 & 0xff;
	} else {
		order = BPF_CORE_READ((struct folio___old *)folio, _folio_order);
	}
	return order < 31 ? 1u << order : 1;
}

/* The counters to add to: the total, or with -P the current process's row. */
static __always_inline struct cachestat_counts *my_counts(void)
{
	__u32 zero = 0, tgid;
	struct cachestat_counts *c;

	if (filter_pid && (bpf_get_current_pid_tgid() >> 32) != targ_pid)
		return NULL;
	if (!per_process)
		return bpf_map_lookup_elem(&counts, &zero);
	tgid = bpf_get_current_pid_tgid() >> 32;
	c = bpf_map_lookup_elem(&proc_counts, &tgid);
	if (!c) {
		struct cachestat_counts empty = {};
		struct cachestat_comm name = {};

		bpf_get_current_comm(name.comm, sizeof(name.comm));
		bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
		bpf_map_update_elem(&proc_counts, &tgid, &empty, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&proc_counts, &tgid);
	}
	return c;
}

static __always_inline void on_access(unsigned long first, unsigned long last)
{
	struct cachestat_counts *c = my_counts();

	if (!c)
		return;
	c->events++;
	if (last >= first)
		c->accessed += last - first + 1;
}

static __always_inline void on_add(struct folio *folio)
{
	struct cachestat_counts *c = my_counts();
	__u64 key = (__u64)folio;
	__u32 pages;

	if (!c)
		return;
	pages = folio_pages(folio);
	c->events++;
	c->added += pages;
	bpf_map_update_elem(&recent_adds, &key, &pages, BPF_ANY);
}

static __always_inline void on_dirty(struct folio *folio)
{
	struct cachestat_counts *c = my_counts();
	__u64 key = (__u64)folio;
	__u32 *added;

	if (!c)
		return;
	c->events++;
	added = bpf_map_lookup_elem(&recent_adds, &key);
	if (added) {
		c->write_added += *added;
		c->dirtied += *added;
		bpf_map_delete_elem(&recent_adds, &key);
	} else {
		c->dirtied += folio_pages(folio);
	}
}

/* -P: a process that execs after its first access gets its new name. */
static __always_inline void on_exec(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct cachestat_comm *name = bpf_map_lookup_elem(&comms, &tgid);

	if (name)
		bpf_get_current_comm(name->comm, sizeof(name->comm));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf) { on_exec(); return 0; }
SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw) { on_exec(); return 0; }

SEC("tp_btf/mm_filemap_get_pages")
int BPF_PROG(get_pages_btf, struct address_space *mapping, unsigned long index,
	     unsigned long last_index)
{
	on_access(index, last_index);
	return 0;
}
SEC("raw_tp/mm_filemap_get_pages")
int BPF_PROG(get_pages_raw, struct address_space *mapping, unsigned long index,
	     unsigned long last_index)
{
	on_access(index, last_index);
	return 0;
}

SEC("tp_btf/mm_filemap_map_pages")
int BPF_PROG(map_pages_btf, struct address_space *mapping, unsigned long start, unsigned long end)
{
	on_access(start, end);
	return 0;
}
SEC("raw_tp/mm_filemap_map_pages")
int BPF_PROG(map_pages_raw, struct address_space *mapping, unsigned long start, unsigned long end)
{
	on_access(start, end);
	return 0;
}

SEC("tp_btf/mm_filemap_fault")
int BPF_PROG(fault_btf, struct address_space *mapping, unsigned long index)
{
	on_access(index, index);
	return 0;
}
SEC("raw_tp/mm_filemap_fault")
int BPF_PROG(fault_raw, struct address_space *mapping, unsigned long index)
{
	on_access(index, index);
	return 0;
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(add_btf, struct folio *folio) { on_add(folio); return 0; }
SEC("raw_tp/mm_filemap_add_to_page_cache")
int BPF_PROG(add_raw, struct folio *folio) { on_add(folio); return 0; }

SEC("tp_btf/writeback_dirty_folio")
int BPF_PROG(dirty_btf, struct folio *folio) { on_dirty(folio); return 0; }
SEC("raw_tp/writeback_dirty_folio")
int BPF_PROG(dirty_raw, struct folio *folio) { on_dirty(folio); return 0; }

char LICENSE[] SEC("license") = "GPL";
