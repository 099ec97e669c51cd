// SPDX-License-Identifier: GPL-2.0
/* bitesize, kernel side: the size of each block request at issue, as log2 histograms in
 * kilobytes per issuing process (and per disk), in a per-CPU hash.
 *
 * The size is taken at block_rq_issue, after every merge, so a request counts at the
 * size the device sees; the issuer comes from block_io_start (bpf/block.h). Cost: two
 * programs per request; the issuer entry is freed for reuse at issue. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "disk/bitesize.h"

const volatile bool targ_per_disk = false; /* -D */

DEFINE_BLK_ISSUERS(16384)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bitesize_key);
	__type(value, struct bitesize_hist);
} hists SEC(".maps");

static __always_inline void on_issue(struct request *rq)
{
	struct blk_issuer *v = issuer_entry(rq);
	struct bitesize_key key = {};
	struct bitesize_hist *hist;
	__u32 slot;

	if (!v)
		return;
	key.pid = v->pid;
	__builtin_memcpy(key.comm, v->comm, sizeof(key.comm));
	if (targ_per_disk)
		key.dev = request_dev(rq);
	slot = log2_slot(BPF_CORE_READ(rq, __data_len) / 1024);
	v->live = 0; /* counted: free for reuse */
	hist = bpf_map_lookup_elem(&hists, &key);
	if (!hist) {
		struct bitesize_hist empty = {};
		bpf_map_update_elem(&hists, &key, &empty, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(&hists, &key);
		if (!hist)
			return;
	}
	if (slot < BITESIZE_SLOTS)
		hist->slots[slot]++;
}

BLK_IO_START_PROGRAMS

SEC("tp_btf/block_rq_issue")
int BPF_PROG(issue_btf, struct request *rq) { on_issue(rq); return 0; }
SEC("raw_tp/block_rq_issue")
int BPF_PROG(issue_raw, struct request *rq) { on_issue(rq); return 0; }

char LICENSE[] SEC("license") = "GPL";
