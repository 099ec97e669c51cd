/* Address text; see inet.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "lib/inet.h"

const char *inet_addr_str(int family, const void *addr16, char *buf, size_t size)
{
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, addr16, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

const char *inet_endpoint_str(int family, const void *addr16, uint16_t port, char *buf,
			      size_t size)
{
	char addr[INET_ADDR_STRLEN];

	inet_addr_str(family, addr16, addr, sizeof(addr));
	if (family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", addr, port);
	else
		snprintf(buf, size, "%s:%u", addr, port);
	return buf;
}

int inet_parse_ports(const char *s, uint16_t *ports, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || v == 0 || v > 65535 || (*end && *end != ',') || n >= max)
			return -1;
		ports[n++] = (uint16_t)v;
		s = *end ? end + 1 : end;
	}
	return n ? n : -1;
}

uint32_t inet_netns_of_pid(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &st) != 0)
		return 0;
	return (uint32_t)st.st_ino;
}

const char *inet_tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		"UNKNOWN",    "ESTABLISHED", "SYN_SENT",   "SYN_RECV",  "FIN_WAIT1",
		"FIN_WAIT2",  "TIME_WAIT",   "CLOSE",      "CLOSE_WAIT", "LAST_ACK",
		"LISTEN",     "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "UNKNOWN";
}
