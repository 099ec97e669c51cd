// SPDX-License-Identifier: GPL-2.0
/* biolatency, kernel side: time from issue (or insert, with -Q) to completion of each
 * block request, as log2 histograms aggregated in per-CPU maps.
 *
 * Cost notes: the start time of a request is kept in a 4-way set-associative table: an
 * array of sets, each set one 64-byte cache line holding four (request, time) pairs. An
 * issue is one inlined array lookup (no hashing of the key, no bucket walk, no
 * allocation), i.e. one cache miss at most, where a hash map costs a bucket and an
 * element; it matters because issue finds the table cold while completion, soon after,
 * finds it warm. A way is claimed with compare-and-swap, which is contended only when two
 * CPUs issue requests of the same set at once. Four in-flight requests in one set of
 * 4096 would be needed to lose a sample (counted in `missed`). Histograms are per-CPU, so
 * no atomic add.
 *
 * Completions we never see: on a loaded machine (6.18, ~1 request in 1000-2000) a request
 * completes without its block_rq_complete event reaching any BPF program. Measured: an
 * independent bpftrace on block_rq_complete and block_io_done missed the same requests,
 * while /sys/block/DEV/stat counted them, with no merges, requeues or recursion misses.
 * Such a request leaves its way occupied; when its pointer is stamped again the old start
 * time is found still there and counted in `orphaned`, and the ways still occupied at the
 * end are counted by user space, so the loss is reported instead of hidden. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "disk/biolatency.h"

const volatile bool targ_queued = false;   /* -Q: from insert, not issue */
const volatile bool targ_per_disk = false; /* -D */
const volatile bool targ_per_flag = false; /* -F */
const volatile bool targ_ms = false;       /* -m */
const volatile bool filter_dev = false;    /* -d */
const volatile __u32 targ_dev = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, START_SETS);
	__type(key, __u32);
	__type(value, struct start_set);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct biolat_hist);
} total_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct biolat_key);
	__type(value, struct biolat_hist);
} keyed_hist SEC(".maps");

/* Requests that could not be timed because the start map was full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} missed SEC(".maps");

/* The low bit of a start time marks one stamped at insert and not yet issued (-Q): the
 * issue that follows keeps it, while a start time without the mark, found at a stamp, is
 * left over from a previous use of the request. A nanosecond is not worth keeping. */
#define TS_INSERTED 1ull

/* Requests stamped again while their previous use was still in the table: a completion
 * that never reached us, a requeue, or with -Q a request merged into another after its
 * insert (freed without completing). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} orphaned SEC(".maps");

static __always_inline void count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);

	if (n)
		(*n)++;
}

/* Fibonacci hashing of the low 32 bits: request structs sit at a fixed stride, so their
 * low bits alone would repeat. Only the low half is hashed because the verifier refuses
 * arithmetic on a tp_btf pointer, while a 32-bit copy of it is a plain number. */
static __always_inline struct start_set *set_of(__u64 rq)
{
	__u32 lo, idx;

	asm volatile("%0 = %1" : "=w"(lo) : "w"((__u32)rq)); /* a 32-bit move: a scalar */
	idx = (lo * 0x9E3779B9u) >> 20;

	return bpf_map_lookup_elem(&start, &idx);
}

static __always_inline void stamp(struct request *rq, bool from_insert)
{
	__u64 key = (__u64)rq, now;
	struct start_set *set;
	int i;

	if (filter_dev && request_dev(rq) != targ_dev)
		return;
	set = set_of(key);
	if (!set)
		return;
	now = (bpf_ktime_get_ns() & ~TS_INSERTED) | (from_insert ? TS_INSERTED : 0);
	for (i = 0; i < START_WAYS; i++) {
		if (set->rq[i] != key)
			continue;
		/* with -Q the insert time stands at issue. Any other start time found here
		 * belongs to a previous use of the request whose completion we never saw. */
		if (!from_insert && (set->ts[i] & TS_INSERTED)) {
			set->ts[i] &= ~TS_INSERTED;
			return;
		}
		if (set->ts[i])
			count(&orphaned);
		set->ts[i] = now;
		return;
	}
	for (i = 0; i < START_WAYS; i++) {
		if (set->rq[i] == 0 && __sync_val_compare_and_swap(&set->rq[i], 0, key) == 0) {
			set->ts[i] = now;
			return;
		}
	}
	count(&missed);
}

static __always_inline void complete(struct request *rq)
{
	__u64 key = (__u64)rq, ts = 0, delta;
	struct start_set *set = set_of(key);
	struct biolat_hist *hist;
	__u32 zero = 0, slot;
	int i;

	if (!set)
		return;
	for (i = 0; i < START_WAYS; i++) {
		if (set->rq[i] == key) {
			ts = set->ts[i];
			set->ts[i] = 0;
			set->rq[i] = 0; /* free the way last: the time is read */
			break;
		}
	}
	if (!ts)
		return; /* issued before tracing began, or filtered out */
	delta = bpf_ktime_get_ns() - (ts & ~TS_INSERTED);
	delta = targ_ms ? delta / 1000000 : delta / 1000;
	slot = log2_slot(delta);

	if (targ_per_disk || targ_per_flag) {
		struct biolat_key hkey = {};
		if (targ_per_disk)
			hkey.dev = request_dev(rq);
		if (targ_per_flag)
			hkey.flags = request_flags(rq);
		hist = bpf_map_lookup_elem(&keyed_hist, &hkey);
		if (!hist) {
			struct biolat_hist empty = {};
			bpf_map_update_elem(&keyed_hist, &hkey, &empty, BPF_NOEXIST);
			hist = bpf_map_lookup_elem(&keyed_hist, &hkey);
			if (!hist)
				return;
		}
	} else {
		hist = bpf_map_lookup_elem(&total_hist, &zero);
		if (!hist)
			return;
	}
	if (slot < BIOLAT_SLOTS)
		hist->slots[slot]++;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(insert_btf, struct request *rq) { stamp(rq, true); return 0; }
SEC("raw_tp/block_rq_insert")
int BPF_PROG(insert_raw, struct request *rq) { stamp(rq, true); return 0; }

SEC("tp_btf/block_rq_issue")
int BPF_PROG(issue_btf, struct request *rq) { stamp(rq, false); return 0; }
SEC("raw_tp/block_rq_issue")
int BPF_PROG(issue_raw, struct request *rq) { stamp(rq, false); return 0; }

SEC("tp_btf/block_rq_complete")
int BPF_PROG(complete_btf, struct request *rq) { complete(rq); return 0; }
SEC("raw_tp/block_rq_complete")
int BPF_PROG(complete_raw, struct request *rq) { complete(rq); return 0; }

char LICENSE[] SEC("license") = "GPL";
