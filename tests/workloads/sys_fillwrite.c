/* Test workload for syscount/errsnoop (case C7): fills the file system holding PATH with
 * 4 KiB writes until write() fails with ENOSPC, then tries FAILS more writes (each fails
 * the same way), prints "enospc N writes W" (failed writes, all writes), keeps the file open for
 * HOLD_MS so that a tracer can name the fd's path, and exits.
 * usage: sys_fillwrite PATH FAILS [HOLD_MS] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char block[4096];
	int fd, fails, failed = 0, hold_ms, writes = 0;

	if (argc < 3)
		return 2;
	fails = atoi(argv[2]);
	hold_ms = argc > 3 ? atoi(argv[3]) : 500;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(block, 'x', sizeof(block));
	for (;;) { /* fill: the first ENOSPC counts as a failure too */
		ssize_t n = write(fd, block, sizeof(block));
		writes++;
		if (n < 0 && errno == ENOSPC) {
			failed++;
			break;
		}
		if (n < 0) {
			perror("write");
			return 1;
		}
	}
	while (failed < fails) {
		writes++;
		if (write(fd, block, sizeof(block)) < 0 && errno == ENOSPC)
			failed++;
	}
	printf("enospc %d writes %d\n", failed, writes);
	fflush(stdout);
	struct timespec ts = {hold_ms / 1000, (hold_ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	close(fd);
	return 0;
}
