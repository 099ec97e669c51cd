// SPDX-License-Identifier: GPL-2.0
/* biosnoop, kernel side: one event per completed block request, with its issuer, disk,
 * operation, sector, size, queue time and latency, sent through a ring buffer.
 *
 * Cost notes: the issuer and the insert and issue times live in one hash entry per
 * request in flight (bpf/block.h), created at block_io_start and deleted at completion;
 * insert and issue are one lookup and one store each. Filters (-d, -p) apply at
 * block_io_start, so filtered-out requests never get an entry and cost one lookup later.
 * Events wake the reader only in batches (bpf/ringbuf.h): a wakeup per event cost ~4 us. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "bpf/ringbuf.h"
#include "disk/biosnoop.h"

DEFINE_BLK_ISSUERS(16384)
DEFINE_LOST_COUNTER

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline void on_insert(struct request *rq)
{
	struct blk_issuer *v = issuer_entry(rq);

	if (v)
		v->insert_ns = bpf_ktime_get_ns();
}

static __always_inline void on_complete(struct request *rq, unsigned int nr_bytes)
{
	struct blk_issuer *v = issuer_live(rq);
	struct biosnoop_event *e;
	__u64 now, issued;

	if (!v)
		return; /* begun before tracing, or filtered out */
	/* no issue time: the issue program was skipped (a BPF program does not run nested in
	 * itself on one CPU, e.g. an issue from an interrupt during another issue); time
	 * from the request's start instead of losing it */
	issued = v->issue_ns ? v->issue_ns : v->start_ns;
	now = bpf_ktime_get_ns();
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		goto done;
	}
	e->complete_ns = now;
	e->sector = BPF_CORE_READ(rq, __sector);
	e->queue_ns = v->insert_ns && v->insert_ns < issued ? issued - v->insert_ns : 0;
	e->latency_ns = now - issued;
	e->pid = v->pid;
	e->dev = request_dev(rq);
	e->bytes = nr_bytes;
	e->flags = request_flags(rq);
	__builtin_memcpy(e->comm, v->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e);
done:
	v->live = 0;
}

BLK_IO_START_PROGRAMS

SEC("tp_btf/block_rq_insert")
int BPF_PROG(insert_btf, struct request *rq) { on_insert(rq); return 0; }
SEC("raw_tp/block_rq_insert")
int BPF_PROG(insert_raw, struct request *rq) { on_insert(rq); return 0; }

BLK_ISSUE_PROGRAMS

SEC("tp_btf/block_rq_complete")
int BPF_PROG(complete_btf, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	on_complete(rq, nr_bytes);
	return 0;
}
SEC("raw_tp/block_rq_complete")
int BPF_PROG(complete_raw, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	on_complete(rq, nr_bytes);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
