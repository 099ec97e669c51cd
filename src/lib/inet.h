/* Text for IPv4/IPv6 addresses and endpoints as BPF programs hand them over: 16 bytes
 * per address (IPv4 in the first 4, network order) and a family (AF_INET, AF_INET6). */
#ifndef WHYSLOW_INET_H
#define WHYSLOW_INET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 */

#define INET_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define INET_ENDPOINT_STRLEN (INET_ADDR_STRLEN + 8)

/* "10.0.0.1" or "fd00::1"; "?" for an unknown family. Returns buf. */
const char *inet_addr_str(int family, const void *addr16, char *buf, size_t size);
/* "10.0.0.1:80" or "[fd00::1]:80". Returns buf. */
const char *inet_endpoint_str(int family, const void *addr16, uint16_t port, char *buf,
			      size_t size);
/* Parses a list of ports "80,443" into ports[0..max); returns the count or -1. */
int inet_parse_ports(const char *s, uint16_t *ports, int max);
/* TCP state name without the TCP_ prefix ("ESTABLISHED"); the states are kernel ABI,
 * printed by the tcp tracepoints' formats, unchanged since they were defined. */
const char *inet_tcp_state_name(unsigned state);
/* The network namespace inode of a process (what BPF reads as net->ns.inum), 0 if gone. */
uint32_t inet_netns_of_pid(int pid);

#endif
