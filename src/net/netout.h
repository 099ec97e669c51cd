/* Output and event-loop pieces shared by the net commands (tcpretrans, skbdrop, tcptop,
 * tcplife, tcpconnect): flow fields in JSON, kernel stacks from a stack map, ring-buffer
 * polling for cli_run_loop. */
#ifndef WHYSLOW_NET_NETOUT_H
#define WHYSLOW_NET_NETOUT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "lib/out.h"
#include "lib/stacks.h"
#include "net/flow.h"

struct ring_buffer;

/* "ip", "laddr", "lport", "raddr", "rport" into the open object. */
void net_flow_json(struct json *j, const struct net_flow *f);
/* "10.0.0.1:80" for the local (local=true) or remote end. Returns buf. */
const char *net_flow_end(const struct net_flow *f, int local, char *buf, size_t size);
/* Kernel stack `stack_id` of a stack map: "kernel_stack":[..] into j when j is set, else
 * one tab-indented frame per line on f. */
void net_print_kernel_stack(const struct stack_syms *ss, int map_fd, int stack_id,
			    struct json *j, FILE *f);
/* cli_loop_ops.poll for a command whose context starts with its ring buffer pointer:
 * ctx is a `struct ring_buffer **`. */
int net_poll_ring(void *ring_buffer_ptr, int timeout_ms);
/* Consumes what is left in the ring buffer (before a final summary). */
void net_drain_ring(void *ring_buffer_ptr);

#endif
