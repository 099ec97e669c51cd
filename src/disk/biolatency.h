/* Layouts shared by biolatency's kernel and user sides. */
#ifndef WHYSLOW_BIOLATENCY_H
#define WHYSLOW_BIOLATENCY_H

#define BIOLAT_SLOTS 27 /* = LOG2_SLOTS */

/* Request flags in a stable encoding: the kernel's REQ_OP_* numbers and __REQ_* bit
 * positions change between versions, so the BPF side maps them through BTF enums. */
enum biolat_op { BIO_OP_READ, BIO_OP_WRITE, BIO_OP_FLUSH, BIO_OP_DISCARD, BIO_OP_OTHER };
#define BIO_FLAG_SYNC (1u << 8)
#define BIO_FLAG_META (1u << 9)
#define BIO_FLAG_FUA (1u << 10)
#define BIO_FLAG_PREFLUSH (1u << 11)
#define BIO_FLAG_RAHEAD (1u << 12)
#define BIO_FLAG_BACKGROUND (1u << 13)
#define BIO_OP_MASK 0xffu

struct biolat_key {
	__u32 dev;   /* kernel encoding: major << 20 | minor; 0 unless per disk */
	__u32 flags; /* stable encoding above; 0 unless per flags */
};

/* The start table (see biolatency.bpf.c): sets of four (request, start time) ways, one
 * cache line each. User space reads it at the end to count I/Os never seen completing. */
#define START_WAYS 4
#define START_SETS 4096 /* power of two: the set index is the top 12 bits of a hash */

struct start_set {
	__u64 rq[START_WAYS]; /* struct request *, 0 when the way is free */
	__u64 ts[START_WAYS]; /* start time */
};

struct biolat_hist {
	__u64 slots[BIOLAT_SLOTS];
};

#endif
