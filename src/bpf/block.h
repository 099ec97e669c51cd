/* Shared by the BPF programs of the block-layer commands (biolatency, biosnoop, bitesize,
 * biotop): a request's disk and flags in stable encodings, and the issuer of a request.
 * Include after vmlinux.h, bpf_helpers.h, bpf_core_read.h and bpf/common.h. */
#ifndef WHYSLOW_BPF_BLOCK_H
#define WHYSLOW_BPF_BLOCK_H

#include "disk/biolatency.h" /* the stable flag encoding (BIO_OP_*, BIO_FLAG_*) */

/* Kernels before 5.17 kept the disk in the request itself ("block: remove the ->rq_disk
 * field in struct request"); later ones reach it through the queue. */
struct request___old {
	struct gendisk *rq_disk;
};

static __always_inline __u32 request_dev(struct request *rq)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___old *)0)->rq_disk))
		disk = BPF_CORE_READ((struct request___old *)rq, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return (BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor);
}

/* Maps cmd_flags to the stable encoding, reading the kernel's enum values from BTF. */
static __always_inline __u32 request_flags(struct request *rq)
{
	__u32 cmd = BPF_CORE_READ(rq, cmd_flags), op = cmd & 0xff, out;

	if (op == bpf_core_enum_value(enum req_op, REQ_OP_READ))
		out = BIO_OP_READ;
	else if (op == bpf_core_enum_value(enum req_op, REQ_OP_WRITE))
		out = BIO_OP_WRITE;
	else if (op == bpf_core_enum_value(enum req_op, REQ_OP_FLUSH))
		out = BIO_OP_FLUSH;
	else if (op == bpf_core_enum_value(enum req_op, REQ_OP_DISCARD))
		out = BIO_OP_DISCARD;
	else
		out = BIO_OP_OTHER;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_SYNC)))
		out |= BIO_FLAG_SYNC;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_META)))
		out |= BIO_FLAG_META;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_FUA)))
		out |= BIO_FLAG_FUA;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_PREFLUSH)))
		out |= BIO_FLAG_PREFLUSH;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_RAHEAD)))
		out |= BIO_FLAG_RAHEAD;
	if (cmd & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_BACKGROUND)))
		out |= BIO_FLAG_BACKGROUND;
	return out;
}

/* Only the operation (read, write, ...) of a request, the cheap part of request_flags. */
static __always_inline __u32 request_op(struct request *rq)
{
	__u32 op = BPF_CORE_READ(rq, cmd_flags) & 0xff;

	if (op == bpf_core_enum_value(enum req_op, REQ_OP_READ))
		return BIO_OP_READ;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_WRITE))
		return BIO_OP_WRITE;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_FLUSH))
		return BIO_OP_FLUSH;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_DISCARD))
		return BIO_OP_DISCARD;
	return BIO_OP_OTHER;
}

/* The issuer of a request. The task running when a request completes (an interrupt, a
 * kworker) or is issued (a kworker draining a plug or a queue) is often not the process
 * that asked for the I/O. block:block_io_start (6.5+, "block: add request accounting
 * tracepoints", fired from blk_account_io_start when a bio becomes a request) runs in the
 * submitter's context, so the issuer is recorded there; on kernels without it, or for
 * requests the kernel makes itself (flushes), the task at insert or issue stands in.
 *
 * Entries are keyed by request pointer and, like biolatency's start times, reused rather
 * than deleted: requests come from a fixed pool per queue, so after warm-up recording an
 * issuer is one lookup and a few stores, with no allocation. `live` marks an entry in use
 * (from io_start to completion), so that a reused request never carries a stale issuer. */
struct blk_issuer {
	__u64 start_ns;  /* when recorded (block_io_start, or insert/issue without it) */
	__u64 insert_ns; /* block_rq_insert, 0 if dispatched directly */
	__u64 issue_ns;  /* block_rq_issue, 0 until issued (or if that program was skipped) */
	__u32 pid;       /* thread group id of the issuer */
	__u32 live;      /* 1 from recording to completion */
	char comm[TASK_COMM_LEN];
};

/* Declares the issuer map, the filters a command fills in before load (-d DISK, -p PID;
 * have_io_start says whether block_io_start is attached) and the helpers:
 *   issuer_io_start(rq)  at block_io_start: records the issuer of a wanted request
 *   issuer_entry(rq)     at insert/issue: the request's entry, or NULL if not wanted;
 *                        requests block_io_start never saw (kernels before 6.5, flushes
 *                        the kernel makes itself) get one here, the current task standing
 *                        in for the issuer
 *   issuer_issue(rq)     at issue: stamps issue_ns of a wanted request
 *   issuer_live(rq)      at completion: the entry if live; set ->live = 0 when done
 * BLK_IO_START_PROGRAMS defines the two io_start programs (tp_btf and raw_tp), and
 * BLK_ISSUE_PROGRAMS two block_rq_issue programs calling issuer_issue. */
#define DEFINE_BLK_ISSUERS(max)                                                            \
	const volatile bool filter_dev = false;                                            \
	const volatile __u32 targ_dev = 0;                                                 \
	const volatile bool filter_pid = false;                                            \
	const volatile __u32 targ_pid = 0;                                                 \
	const volatile bool have_io_start = true;                                          \
	struct {                                                                           \
		__uint(type, BPF_MAP_TYPE_HASH);                                           \
		__uint(max_entries, max);                                                  \
		__type(key, __u64); /* struct request * */                                 \
		__type(value, struct blk_issuer);                                          \
	} issuers SEC(".maps");                                                            \
	static __always_inline struct blk_issuer *issuer_record(struct request *rq)        \
	{                                                                                  \
		__u64 key = (__u64)rq, id = bpf_get_current_pid_tgid();                    \
		struct blk_issuer *v = bpf_map_lookup_elem(&issuers, &key);                \
                                                                                           \
		if ((filter_pid && (id >> 32) != targ_pid) ||                              \
		    (filter_dev && request_dev(rq) != targ_dev)) {                         \
			if (v)                                                             \
				v->live = 0;                                               \
			return NULL;                                                       \
		}                                                                          \
		if (!v) { /* first use of this request: the only allocation */           \
			struct blk_issuer empty = {};                                      \
			bpf_map_update_elem(&issuers, &key, &empty, BPF_NOEXIST);          \
			v = bpf_map_lookup_elem(&issuers, &key);                           \
			if (!v)                                                            \
				return NULL; /* map full: the request goes untraced */    \
		}                                                                          \
		v->start_ns = bpf_ktime_get_ns();                                          \
		v->insert_ns = 0;                                                          \
		v->issue_ns = 0;                                                           \
		v->pid = id >> 32;                                                         \
		bpf_get_current_comm(v->comm, sizeof(v->comm));                            \
		v->live = 1;                                                               \
		return v;                                                                  \
	}                                                                                  \
	static __always_inline void issuer_io_start(struct request *rq)                    \
	{                                                                                  \
		issuer_record(rq);                                                         \
	}                                                                                  \
	static __always_inline struct blk_issuer *issuer_entry(struct request *rq)         \
	{                                                                                  \
		__u64 key = (__u64)rq;                                                     \
		struct blk_issuer *v = bpf_map_lookup_elem(&issuers, &key);                \
                                                                                           \
		if (v && v->live)                                                          \
			return v;                                                          \
		if (have_io_start && request_op(rq) != BIO_OP_FLUSH)                       \
			return NULL; /* filtered out at io_start, or began before tracing */ \
		return issuer_record(rq);                                                  \
	}                                                                                  \
	/* block_rq_issue: stamps the issue time of a wanted request. */                \
	static __always_inline void issuer_issue(struct request *rq)                       \
	{                                                                                  \
		struct blk_issuer *v = issuer_entry(rq);                                   \
                                                                                           \
		if (v)                                                                     \
			v->issue_ns = bpf_ktime_get_ns();                                  \
	}                                                                                  \
	/* The live entry of rq at completion, or NULL. */                                \
	static __always_inline struct blk_issuer *issuer_live(struct request *rq)          \
	{                                                                                  \
		__u64 key = (__u64)rq;                                                     \
		struct blk_issuer *v = bpf_map_lookup_elem(&issuers, &key);                \
                                                                                           \
		return v && v->live ? v : NULL;                                            \
	}

#define BLK_IO_START_PROGRAMS                                                              \
	SEC("tp_btf/block_io_start")                                                       \
	int BPF_PROG(io_start_btf, struct request *rq)                                     \
	{                                                                                  \
		issuer_io_start(rq);                                                       \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/block_io_start")                                                       \
	int BPF_PROG(io_start_raw, struct request *rq)                                     \
	{                                                                                  \
		issuer_io_start(rq);                                                       \
		return 0;                                                                  \
	}

/* The two block_rq_issue programs of commands that only stamp the issue time. */
#define BLK_ISSUE_PROGRAMS                                                                 \
	SEC("tp_btf/block_rq_issue")                                                       \
	int BPF_PROG(issue_btf, struct request *rq)                                        \
	{                                                                                  \
		issuer_issue(rq);                                                          \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/block_rq_issue")                                                       \
	int BPF_PROG(issue_raw, struct request *rq)                                        \
	{                                                                                  \
		issuer_issue(rq);                                                          \
		return 0;                                                                  \
	}

#endif
