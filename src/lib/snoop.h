/* Helpers of per-event ("snoop") commands that read a ring buffer: polling that also
 * takes the records the BPF side did not wake us for (bpf/ringbuf.h batches wakeups),
 * and the summary of events, lost records and skipped program runs, which such commands
 * print at every interval end and at exit so that no loss is hidden. */
#ifndef WHYSLOW_SNOOP_H
#define WHYSLOW_SNOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>

/* Polls rb for up to timeout_ms, then consumes whatever waits. Flushes stdout when
 * records were handled and flush is set. Returns 0 or a negative errno. */
int snoop_poll(struct ring_buffer *rb, int timeout_ms, bool flush);

struct snoop_counts {
	uint64_t events;  /* records handled */
	uint64_t lost;    /* reservations that failed: ring buffer full */
	uint64_t skipped; /* program runs the kernel skipped (wbpf_recursion_misses) */
};

/* Reads lost (a DEFINE_LOST_COUNTER map) and skipped (obj's programs) into c. */
void snoop_read_losses(struct snoop_counts *c, int lost_map_fd, struct bpf_object *obj);

/* JSON: {"command":..,"summary":true,"events":..,"lost_events":..,"skipped_runs":..};
 * text: a line per kind of loss, nothing when there was none. */
void snoop_print_summary(const char *command, bool json, const struct snoop_counts *c);

#endif
