/* See snoop.h. */
#include <stdio.h>
#include "lib/bpf.h"
#include "lib/out.h"
#include "lib/snoop.h"

int snoop_poll(struct ring_buffer *rb, int timeout_ms, bool flush)
{
	int n = ring_buffer__poll(rb, timeout_ms);

	/* the BPF side wakes us only in batches: read what waits after every timeout */
	if (n >= 0)
		n = ring_buffer__consume(rb);
	if (n > 0 && flush)
		fflush(stdout);
	return n < 0 ? n : 0;
}

void snoop_read_losses(struct snoop_counts *c, int lost_map_fd, struct bpf_object *obj)
{
	c->lost = wbpf_lost_events(lost_map_fd);
	c->skipped = wbpf_recursion_misses(obj);
}

void snoop_print_summary(const char *command, bool json, const struct snoop_counts *c)
{
	if (json) {
		struct json j;
		json_begin(&j, stdout, command);
		json_bool(&j, "summary", true);
		json_u64(&j, "events", c->events);
		json_u64(&j, "lost_events", c->lost);
		json_u64(&j, "skipped_runs", c->skipped);
		json_end(&j);
		return;
	}
	if (c->lost)
		printf("%llu events lost (ring buffer full)\n", (unsigned long long)c->lost);
	if (c->skipped)
		printf("%llu hook runs skipped by the kernel (nested on one CPU): events may be "
		       "missing\n", (unsigned long long)c->skipped);
	fflush(stdout);
}
