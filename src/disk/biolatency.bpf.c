// SPDX-License-Identifier: GPL-2.0
/* biolatency, kernel side: time from issue (or insert, with -Q) to completion of each
 * block request, as log2 histograms aggregated in per-CPU maps.
 *
 * Cost notes: the start time is kept per request pointer in a hash map whose entries are
 * reused, not deleted: requests come from a fixed pool per queue, so after warm-up an issue
 * is one lookup and one store, and a completion one lookup and one store. Histograms are
 * per-CPU, so no atomic operations. */
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* struct request * */
	__type(value, __u64); /* start time, 0 when no request is in flight */
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

static __always_inline void stamp(struct request *rq, bool from_insert)
{
	__u64 key = (__u64)rq, now, *tsp;

	if (filter_dev && request_dev(rq) != targ_dev)
		return;
	now = bpf_ktime_get_ns();
	tsp = bpf_map_lookup_elem(&start, &key);
	if (tsp) {
		/* with -Q the insert time stands; issue only stamps requests that were
		 * dispatched directly, without an insert */
		if (!targ_queued || from_insert || *tsp == 0)
			*tsp = now;
		return;
	}
	if (bpf_map_update_elem(&start, &key, &now, BPF_ANY)) { /* map full */
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&missed, &zero);
		if (n)
			(*n)++;
	}
}

static __always_inline void complete(struct request *rq)
{
	__u64 key = (__u64)rq, *tsp, delta;
	struct biolat_hist *hist;
	__u32 zero = 0, slot;

	tsp = bpf_map_lookup_elem(&start, &key);
	if (!tsp || *tsp == 0)
		return; /* issued before tracing began, or filtered out */
	delta = bpf_ktime_get_ns() - *tsp;
	*tsp = 0;
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
