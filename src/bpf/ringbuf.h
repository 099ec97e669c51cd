/* Ring-buffer submission that wakes the reader in batches. A wakeup per event (the
 * default of bpf_ringbuf_submit) costs microseconds of irq_work and a context switch per
 * event; here the reader is woken only once RINGBUF_WAKEUP_BYTES are waiting, and reads
 * the rest at its poll timeout (user space calls ring_buffer__consume after each poll). */
#ifndef WHYSLOW_BPF_RINGBUF_H
#define WHYSLOW_BPF_RINGBUF_H

#define RINGBUF_WAKEUP_BYTES (64 * 1024)

#define ringbuf_submit_batched(map, e)                                                     \
	bpf_ringbuf_submit((e), bpf_ringbuf_query((map), BPF_RB_AVAIL_DATA) >=               \
					RINGBUF_WAKEUP_BYTES                               \
				? BPF_RB_FORCE_WAKEUP                                      \
				: BPF_RB_NO_WAKEUP)

#endif
