/* Submits N adjacent O_DIRECT writes of BS bytes in one io_submit(2), so that the block
 * layer (which plugs the batch) merges them into fewer, larger requests, then waits for
 * all of them. Tests know the answer: N writes of BS bytes, issued by this PID.
 *   aiomerge PATH N [BS]
 * Prints "pid=P writes=N" when done. Raw syscalls: libaio is not needed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, bs = 4096, done = 0;
	aio_context_t ctx = 0;
	struct iocb *cbs, **ptrs;
	struct io_event *events;
	char *buf;
	int fd;

	if (argc < 3 || (n = atol(argv[2])) <= 0 || (argc > 3 && (bs = atol(argv[3])) <= 0)) {
		fprintf(stderr, "usage: aiomerge PATH N [BS]\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_DIRECT);
	cbs = calloc(n, sizeof(*cbs));
	ptrs = calloc(n, sizeof(*ptrs));
	events = calloc(n, sizeof(*events));
	if (fd < 0 || !cbs || !ptrs || !events || posix_memalign((void **)&buf, 4096, n * bs)) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 0xab, n * bs);
	if (syscall(SYS_io_setup, n, &ctx)) {
		perror("io_setup");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = (uint64_t)(uintptr_t)(buf + i * bs);
		cbs[i].aio_nbytes = bs;
		cbs[i].aio_offset = i * bs;
		ptrs[i] = &cbs[i];
	}
	if (syscall(SYS_io_submit, ctx, n, ptrs) != n) {
		perror("io_submit");
		return 1;
	}
	while (done < n) {
		long got = syscall(SYS_io_getevents, ctx, 1, n - done, events, NULL);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			perror("io_getevents");
			return 1;
		}
		for (long i = 0; i < got; i++)
			if (events[i].res != bs) {
				fprintf(stderr, "aio write failed: %lld\n", (long long)events[i].res);
				return 1;
			}
		done += got;
	}
	syscall(SYS_io_destroy, ctx);
	printf("pid=%d writes=%ld\n", (int)getpid(), n);
	return 0;
}
