/* File-system calls with known counts, started on a signal so that a tracer given its PID
 * sees only them (not the loader's reads at exec):
 *   fsio FILE N BS [fsync]
 * waits for a line on stdin, then opens FILE, reads N blocks of BS bytes (wrapping at
 * the end of the file), and with "fsync" writes four blocks at offsets 0, 2, 4 and 6
 * blocks (apart, so that they stay four requests) and fsyncs; exits.
 * Prints "pid=P reads=N bytes=B fsync=0|1". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, bs, reads = 0, bytes = 0;
	int do_fsync, fd;
	char line[16], *buf;

	if (argc < 4) {
		fprintf(stderr, "usage: fsio FILE N BS [fsync]\n");
		return 2;
	}
	n = atol(argv[2]);
	bs = atol(argv[3]);
	do_fsync = argc > 4 && strcmp(argv[4], "fsync") == 0;
	if (!(buf = calloc(1, bs)))
		return 1;
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	fd = open(argv[1], do_fsync ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while (reads < n) {
		ssize_t got = read(fd, buf, bs);
		if (got < 0) {
			perror("fsio: read");
			return 1;
		}
		if (got == 0) { /* end of file: start again (that read counted too) */
			lseek(fd, 0, SEEK_SET);
			continue;
		}
		reads++;
		bytes += got;
	}
	for (int i = 0; do_fsync && i < 4; i++) {
		if (pwrite(fd, buf, bs, 2 * i * bs) != bs) {
			perror("fsio: write");
			return 1;
		}
	}
	if (do_fsync && fsync(fd) != 0) {
		perror("fsio: fsync");
		return 1;
	}
	close(fd);
	printf("pid=%d reads=%ld bytes=%ld fsync=%d\n", getpid(), reads, bytes, do_fsync);
	return 0;
}
