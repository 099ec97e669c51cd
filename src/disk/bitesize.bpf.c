// SPDX-License-Identifier: GPL-2.0
/* bitesize, kernel side: the size of each block I/O a process submits to a disk, as log2
 * histograms in kilobytes per process (and per disk), in a per-CPU hash.
 *
 * One count per bio as the disk's request queue receives it (after the block layer has
 * split it to the device's limits), in the submitter's context, so the process is
 * `current` and no per-request state is needed:
 *   block:block_io_start        a bio becomes a new request: its size is the bio's
 *                               (blk_mq_bio_to_request -> blk_account_io_start, 6.5+)
 *   block:block_bio_backmerge,  a bio joins a request already queued or plugged (the
 *   block:block_bio_frontmerge  tracepoint fires once the merge is decided; the request
 *                               then grows by the bio's size)
 * Each bio fires exactly one of them: one program per I/O. Kernels before 6.5 have no
 * block_io_start; block:block_getrq (a bio gets a new request, also in the submitter's
 * context) stands in for it. The bio tracepoints take only the bio since 5.11 ("block:
 * remove the request_queue argument to the block_bio_* tracepoints").
 *
 * Counting is one array lookup (inlined by the verifier, no hashing) in a per-CPU table
 * indexed by a multiplicative hash of (tgid, dev); only keys that collide with another in
 * the same interval and CPU take the per-CPU hash. The comm is read once per key and
 * interval, when the entry is claimed, not per I/O.
 *
 * Requests are not followed to issue: a request grown by merges counts as the bios it was
 * made of, each under the process that submitted it (iostat's rareq-sz and biosnoop show
 * the merged request). Discards merged into a multi-range discard (no tracepoint) and the
 * flush requests the kernel makes itself are not seen. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.h"
#include "bpf/block.h"
#include "disk/bitesize.h"

const volatile bool targ_per_disk = false; /* -D */
const volatile bool filter_dev = false;    /* -d */
const volatile __u32 targ_dev = 0;
const volatile bool filter_pid = false;    /* -p */
const volatile __u32 targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bitesize_key);
	__type(value, struct bitesize_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BITESIZE_TABLE);
	__type(key, __u32);
	__type(value, struct bitesize_entry);
} table SEC(".maps");

/* thread group id -> name, written only when a histogram of the hash is created */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct bitesize_comm);
} comms SEC(".maps");

/* The disk of a bio: bi_bdev (5.12+) may be a partition; its bd_disk is the whole disk,
 * as request_dev() gives for a request. */
static __always_inline __u32 bio_dev(struct bio *bio)
{
	struct gendisk *disk = BPF_CORE_READ(bio, bi_bdev, bd_disk);

	if (!disk)
		return 0;
	return (BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor);
}

/* The disk of a request or bio. tp_btf arguments are typed pointers: the walk to the
 * disk is plain loads there, probe reads (helper calls) in raw_tp programs. */
static __always_inline __u32 io_dev(void *obj, bool is_bio, bool btf)
{
	struct gendisk *disk;

	if (!btf)
		return is_bio ? bio_dev(obj) : request_dev(obj);
	if (is_bio)
		disk = ((struct bio *)obj)->bi_bdev->bd_disk;
	else if (bpf_core_field_exists(((struct request___old *)0)->rq_disk))
		return request_dev(obj); /* before 5.17: see bpf/block.h */
	else
		disk = ((struct request *)obj)->q->disk;
	if (!disk)
		return 0;
	return (disk->major << 20) | disk->first_minor;
}

/* Counts one I/O of `bytes` by the current process; dev is read only when -D or -d
 * needs it. */
static __always_inline void count_io(__u32 bytes, void *obj, bool is_bio, bool btf)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct bitesize_key key = {.pid = id >> 32};
	struct bitesize_entry *entry;
	struct bitesize_hist *hist;
	__u32 dev = 0, index, slot = log2_slot(bytes / 1024);

	if (filter_pid && key.pid != targ_pid)
		return;
	if (targ_per_disk || filter_dev) {
		dev = io_dev(obj, is_bio, btf);
		if (filter_dev && dev != targ_dev)
			return;
		if (targ_per_disk)
			key.dev = dev;
	}
	index = bitesize_index(&key);
	entry = bpf_map_lookup_elem(&table, &index);
	if (!entry)
		return;
	if (entry->used && entry->key.pid == key.pid && entry->key.dev == key.dev) {
		entry->slots[slot]++;
		return;
	}
	if (!entry->used) { /* first key here in this interval: it owns the entry */
		entry->key = key;
		bpf_get_current_comm(entry->comm, sizeof(entry->comm));
		entry->used = 1;
		entry->slots[slot]++;
		return;
	}
	hist = bpf_map_lookup_elem(&hists, &key); /* a collision: the hash */
	if (!hist) { /* first I/O of this key (in this interval): name the process once */
		struct bitesize_hist empty = {};
		struct bitesize_comm comm;

		bpf_get_current_comm(comm.comm, sizeof(comm.comm));
		bpf_map_update_elem(&comms, &key.pid, &comm, BPF_ANY);
		bpf_map_update_elem(&hists, &key, &empty, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(&hists, &key);
		if (!hist)
			return;
	}
	hist->slots[slot]++;
}

/* The size: a plain load in tp_btf programs, a probe read in raw_tp ones. */
SEC("tp_btf/block_io_start")
int BPF_PROG(io_start_btf, struct request *rq) { count_io(rq->__data_len, rq, false, true); return 0; }
SEC("raw_tp/block_io_start")
int BPF_PROG(io_start_raw, struct request *rq)
{
	count_io(BPF_CORE_READ(rq, __data_len), rq, false, false);
	return 0;
}

SEC("tp_btf/block_getrq")
int BPF_PROG(getrq_btf, struct bio *bio) { count_io(bio->bi_iter.bi_size, bio, true, true); return 0; }
SEC("raw_tp/block_getrq")
int BPF_PROG(getrq_raw, struct bio *bio)
{
	count_io(BPF_CORE_READ(bio, bi_iter.bi_size), bio, true, false);
	return 0;
}

SEC("tp_btf/block_bio_backmerge")
int BPF_PROG(backmerge_btf, struct bio *bio) { count_io(bio->bi_iter.bi_size, bio, true, true); return 0; }
SEC("raw_tp/block_bio_backmerge")
int BPF_PROG(backmerge_raw, struct bio *bio)
{
	count_io(BPF_CORE_READ(bio, bi_iter.bi_size), bio, true, false);
	return 0;
}

SEC("tp_btf/block_bio_frontmerge")
int BPF_PROG(frontmerge_btf, struct bio *bio) { count_io(bio->bi_iter.bi_size, bio, true, true); return 0; }
SEC("raw_tp/block_bio_frontmerge")
int BPF_PROG(frontmerge_raw, struct bio *bio)
{
	count_io(BPF_CORE_READ(bio, bi_iter.bi_size), bio, true, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
