/* offwork N SLEEP_MS PIPE_MS: N rounds of a nanosleep of SLEEP_MS in sleep_part, then a
 * pipe read in pipe_part that a helper thread ("offhelper") answers PIPE_MS later. Prints
 * its own measured totals "sleep_us=S pipe_us=P" and then waits (off-CPU for good, so it
 * never adds to either total) until killed, so that a tracer can still read its symbols.
 *
 * The libc call sits in a wrapper (sleep_call, pipe_call): libc has no frame pointers, so
 * frame-pointer stacks skip the caller of a libc function, and the wrapper is what gets
 * skipped; sleep_part and pipe_part always show. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static int request[2], answer[2];
static long pipe_ms;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts))
		;
}

void sleep_call(long ms)
{
	sleep_ms(ms);
}

void sleep_part(long ms)
{
	sleep_call(ms);
}

void pipe_call(void)
{
	char c = 0;

	if (write(request[1], &c, 1) != 1 || read(answer[0], &c, 1) != 1)
		exit(1);
}

void pipe_part(void)
{
	pipe_call();
}

static void *helper(void *arg)
{
	char c;

	(void)arg;
	prctl(PR_SET_NAME, "offhelper");
	while (read(request[0], &c, 1) == 1) {
		sleep_ms(pipe_ms);
		if (write(answer[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 10, sleep_for = argc > 2 ? atol(argv[2]) : 50;
	uint64_t sleep_total = 0, pipe_total = 0, t;
	pthread_t th;

	pipe_ms = argc > 3 ? atol(argv[3]) : 30;
	if (pipe(request) || pipe(answer) || pthread_create(&th, NULL, helper, NULL))
		return 1;
	for (long i = 0; i < rounds; i++) {
		t = now_us();
		sleep_part(sleep_for);
		sleep_total += now_us() - t;
		t = now_us();
		pipe_part();
		pipe_total += now_us() - t;
	}
	printf("sleep_us=%llu pipe_us=%llu\n", (unsigned long long)sleep_total,
	       (unsigned long long)pipe_total);
	fflush(stdout);
	for (;;)
		pause();
}
