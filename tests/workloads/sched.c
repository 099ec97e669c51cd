/* Scheduler workloads with known shapes:
 *   sched hog SECONDS                 burn one CPU until the time is up
 *   sched sleeper SECONDS PERIOD_US   sleep PERIOD_US, wake, repeat; prints the wakeups
 *   sched spawn COUNT PERIOD_US       every PERIOD_US, fork a child that exits at once
 *                                     (its one run-queue wait comes from sched_wakeup_new);
 *                                     prints each child's PID
 * Pin them with taskset to build a saturated CPU (hogs) next to an idle one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

	if (argc < 3 || (strcmp(argv[1], "hog") && strcmp(argv[1], "sleeper") && strcmp(argv[1], "spawn")) ||
	    (strcmp(argv[1], "hog") && argc < 4)) {
		fprintf(stderr, "usage: sched hog SECONDS | sched sleeper SECONDS PERIOD_US | "
				"sched spawn COUNT PERIOD_US\n");
		return 2;
	}
	if (!strcmp(argv[1], "spawn")) {
		long n = atol(argv[2]), period = atol(argv[3]);
		struct timespec gap = {period / 1000000, (period % 1000000) * 1000};

		for (long i = 0; i < n; i++) {
			pid_t child = fork();

			if (child < 0) {
				perror("fork");
				return 1;
			}
			if (!child)
				_exit(0);
			printf("%d\n", child);
			waitpid(child, NULL, 0);
			nanosleep(&gap, NULL);
		}
		return 0;
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
