/* Shared output of the net commands; see netout.h. */
#include <errno.h>
#include <bpf/libbpf.h>
#include "lib/inet.h"
#include "net/netout.h"

void net_flow_json(struct json *j, const struct net_flow *f)
{
	char addr[INET_ADDR_STRLEN];

	json_u64(j, "ip", f->family == AF_INET6 ? 6 : 4);
	json_str(j, "laddr", inet_addr_str(f->family, f->saddr, addr, sizeof(addr)));
	json_u64(j, "lport", f->sport);
	json_str(j, "raddr", inet_addr_str(f->family, f->daddr, addr, sizeof(addr)));
	json_u64(j, "rport", f->dport);
}

const char *net_flow_end(const struct net_flow *f, int local, char *buf, size_t size)
{
	return inet_endpoint_str(f->family, local ? f->saddr : f->daddr,
				 local ? f->sport : f->dport, buf, size);
}

void net_print_kernel_stack(const struct stack_syms *ss, int map_fd, int stack_id,
			    struct json *j, FILE *f)
{
	uint64_t ips[STACK_MAX_DEPTH];
	unsigned n = stack_map_read(map_fd, -1, stack_id, ips);
	char name[256];

	if (j) {
		json_array_open(j, "kernel_stack");
		for (unsigned i = 0; i < n; i++)
			json_str(j, NULL, stack_kernel_frame(ss, ips[i], name, sizeof(name)));
		json_array_close(j);
		return;
	}
	if (!n)
		fprintf(f, "\t[Missed Kernel Stack]\n");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "\t%s\n", stack_kernel_frame(ss, ips[i], name, sizeof(name)));
}

int net_poll_ring(void *ring_buffer_ptr, int timeout_ms)
{
	struct ring_buffer *rb = *(struct ring_buffer **)ring_buffer_ptr;
	int n = ring_buffer__poll(rb, timeout_ms);

	if (n == -EINTR)
		n = 0;
	/* the BPF side wakes us only when the buffer fills (bpf/ringbuf.h): take the rest */
	if (n >= 0) {
		int more = ring_buffer__consume(rb);
		n = more < 0 ? more : n + more;
	}
	return n;
}

void net_drain_ring(void *ring_buffer_ptr)
{
	struct ring_buffer *rb = *(struct ring_buffer **)ring_buffer_ptr;

	if (rb)
		ring_buffer__consume(rb);
}
