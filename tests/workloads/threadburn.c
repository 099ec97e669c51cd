/* threadburn SECONDS: two threads of one process burn CPU for SECONDS, each in its own
 * function under its own name: the main thread ("threadburn") in burn_main, a helper
 * ("burnhelper") in burn_helper. Prints "main_tid=M helper_tid=H" once both run, so a
 * test can pick one thread (profile -L, offcputime -t) and check that only its name and
 * function show. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double end_s;
static volatile pid_t helper_tid;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The clock call makes these non-leaf functions, so they keep a frame pointer and their
 * callers show in frame-pointer stacks. */
void burn_main(void)
{
	while (now_s() < end_s)
		for (int i = 0; i < 100000; i++)
			sink = sink * 6364136223846793005ul + 1;
}

void burn_helper(void)
{
	while (now_s() < end_s)
		for (int i = 0; i < 100000; i++)
			sink = sink * 6364136223846793005ul + 1;
}

static void *helper(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "burnhelper");
	helper_tid = gettid();
	burn_helper();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;

	end_s = now_s() + (argc > 1 ? atof(argv[1]) : 3);
	if (pthread_create(&th, NULL, helper, NULL))
		return 1;
	while (!helper_tid)
		usleep(1000);
	printf("main_tid=%d helper_tid=%d\n", (int)gettid(), (int)helper_tid);
	fflush(stdout);
	burn_main();
	pthread_join(th, NULL);
	return 0;
}
