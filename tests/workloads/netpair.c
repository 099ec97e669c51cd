/* netpair: a TCP/UDP test workload whose byte counts are known, for the net commands.
 *   netpair server PORT REPLY_BYTES CONNS    accept CONNS connections one after another; read
 *                                          each to EOF, then send REPLY_BYTES and close;
 *                                          prints "ready" once listening
 *   netpair client ADDR PORT SEND_BYTES CONNS  open CONNS connections one after another,
 *                                          send SEND_BYTES, shut down writing, read the
 *                                          reply to EOF; prints per connection
 *                                          "conn LPORT RPORT SENT RECEIVED"
 *   netpair udp ADDR PORT COUNT SIZE         send COUNT datagrams of SIZE bytes; prints
 *                                          "udp SENT FAILED"
 * IPv4 only; exits 1 on any error with a message. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

static void die(const char *what)
{
	fprintf(stderr, "netpair: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long long send_all(int fd, unsigned long long n)
{
	unsigned long long done = 0;

	while (done < n) {
		size_t chunk = n - done < sizeof(buf) ? n - done : sizeof(buf);
		ssize_t w = send(fd, buf, chunk, 0);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		done += (unsigned long long)w;
	}
	return done;
}

static unsigned long long recv_all(int fd)
{
	unsigned long long done = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		done += (unsigned long long)r;
	}
	return done;
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "netpair: bad address %s\n", ip);
		exit(1);
	}
	return a;
}

static int server(const char *port, unsigned long long reply, int conns)
{
	struct sockaddr_in a = addr_of("0.0.0.0", port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64))
		die("bind/listen");
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < conns; i++) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			die("accept");
		unsigned long long got = recv_all(c);
		send_all(c, reply);
		close(c);
		printf("served %llu %llu\n", got, reply);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int client(const char *ip, const char *port, unsigned long long n, int conns)
{
	struct sockaddr_in a = addr_of(ip, port), local;
	socklen_t len = sizeof(local);

	for (int i = 0; i < conns; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			die("connect");
		getsockname(fd, (struct sockaddr *)&local, &len);
		unsigned long long sent = send_all(fd, n);
		shutdown(fd, SHUT_WR);
		unsigned long long got = recv_all(fd);
		close(fd);
		printf("conn %u %u %llu %llu\n", ntohs(local.sin_port), ntohs(a.sin_port), sent, got);
		fflush(stdout);
	}
	return 0;
}

static int udp(const char *ip, const char *port, long count, size_t size)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	long sent = 0, failed = 0;

	if (fd < 0)
		die("socket");
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (long i = 0; i < count; i++) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			failed++;
		else
			sent++;
	}
	printf("udp %ld %ld\n", sent, failed);
	return 0;
}

int main(int argc, char **argv)
{
	memset(buf, 'x', sizeof(buf));
	if (argc == 5 && strcmp(argv[1], "server") == 0)
		return server(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], strtoull(argv[4], NULL, 10), atoi(argv[5]));
	if (argc == 6 && strcmp(argv[1], "udp") == 0)
		return udp(argv[2], argv[3], atol(argv[4]), strtoul(argv[5], NULL, 10));
	fprintf(stderr, "usage: netpair server PORT REPLY CONNS | client ADDR PORT BYTES CONNS | "
			"udp ADDR PORT COUNT SIZE\n");
	return 2;
}
