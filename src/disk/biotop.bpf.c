// SPDX-License-Identifier: GPL-2.0
/* biotop, kernel side: I/Os, bytes and summed latency per issuing process, disk and
 * direction, in a per-CPU hash that user space reads and clears every interval.
 *
 * Cost: the issuer (bpf/block.h) is recorded at block_io_start; issue stamps the entry;
 * completion adds to the process's row and frees the entry for reuse. No ring buffer, no per-event
 * copy to user space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "disk/biotop.h"

DEFINE_BLK_ISSUERS(16384)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct biotop_key);
	__type(value, struct biotop_value);
} counts SEC(".maps");

static __always_inline void on_complete(struct request *rq, unsigned int nr_bytes)
{
	struct blk_issuer *v = issuer_live(rq);
	struct biotop_key k = {};
	struct biotop_value *val;
	__u64 latency;

	if (!v)
		return;
	/* without an issue time (issue program skipped: see biosnoop), from the start */
	latency = bpf_ktime_get_ns() - (v->issue_ns ? v->issue_ns : v->start_ns);
	k.pid = v->pid;
	k.dev = request_dev(rq);
	k.rw = request_op(rq) == BIO_OP_WRITE;
	__builtin_memcpy(k.comm, v->comm, sizeof(k.comm));
	val = bpf_map_lookup_elem(&counts, &k);
	if (!val) {
		struct biotop_value zero = {};
		bpf_map_update_elem(&counts, &k, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&counts, &k);
		if (!val)
			goto done;
	}
	val->ios++;
	val->bytes += nr_bytes;
	val->latency_ns += latency;
done:
	v->live = 0;
}

BLK_IO_START_PROGRAMS

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
