/* Scheduler workloads with known shapes:
 *   sched hog SECONDS                 burn one CPU until the time is up
 *   sched sleeper SECONDS PERIOD_US   sleep PERIOD_US, wake, repeat; prints the wakeups
 * Pin them with taskset to build a saturated CPU (hogs) next to an idle one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end;
	long wakeups = 0;

	if (argc < 3 || (strcmp(argv[1], "hog") && strcmp(argv[1], "sleeper")) ||
	    (!strcmp(argv[1], "sleeper") && argc < 4)) {
		fprintf(stderr, "usage: sched hog SECONDS | sched sleeper SECONDS PERIOD_US\n");
		return 2;
	}
	end = now_s() + atof(argv[2]);
	if (!strcmp(argv[1], "hog")) {
		volatile unsigned long spin = 0;
		while (now_s() < end)
			for (int i = 0; i < 100000; i++)
				spin++;
		return 0;
	}
	long period = atol(argv[3]);
	struct timespec ts = {period / 1000000, (period % 1000000) * 1000};
	while (now_s() < end) {
		nanosleep(&ts, NULL);
		wakeups++;
	}
	printf("pid=%d wakeups=%ld\n", getpid(), wakeups);
	return 0;
}
