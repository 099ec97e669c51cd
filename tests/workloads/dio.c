/* Issues exactly N O_DIRECT I/Os of BS bytes to a file or block device, one at a time,
 * so tests know the answer: N requests of BS bytes, issued by this PID.
 *   dio PATH N [BS] [r|w|rw]      (rw alternates, starting with a read)
 * Prints "pid=P reads=R writes=W bytes=B" when done. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>

int main(int argc, char **argv)
{
	long n, bs = 4096, reads = 0, writes = 0;
	const char *mode = argc > 4 ? argv[4] : "r";
	off_t size, off = 0;
	void *buf;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: dio PATH N [BS] [r|w|rw]\n");
		return 2;
	}
	n = atol(argv[2]);
	if (argc > 3)
		bs = atol(argv[3]);
	fd = open(argv[1], (strcmp(mode, "r") ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, bs)) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 0xab, bs);
	size = lseek(fd, 0, SEEK_END);
	if (size < bs) {
		fprintf(stderr, "dio: %s is smaller than one I/O\n", argv[1]);
		return 1;
	}
	for (long i = 0; i < n; i++) {
		bool write = !strcmp(mode, "w") || (!strcmp(mode, "rw") && (i & 1));
		ssize_t done = write ? pwrite(fd, buf, bs, off) : pread(fd, buf, bs, off);
		if (done != bs) {
			perror("dio: I/O");
			return 1;
		}
		write ? writes++ : reads++;
		off += bs;
		if (off + bs > size)
			off = 0;
	}
	printf("pid=%d reads=%ld writes=%ld bytes=%ld\n", getpid(), reads, writes, (reads + writes) * bs);
	close(fd);
	return 0;
}
