/* stopper PID PERIOD_MS STOP_MS COUNT: the "monitoring agent" of case C6. COUNT times,
 * every PERIOD_MS: SIGSTOP to PID, wait STOP_MS, SIGCONT. Ends early (status 1) if PID
 * goes away. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts))
		;
}

int main(int argc, char **argv)
{
	pid_t pid;
	long period, stop, count;

	if (argc < 5) {
		fprintf(stderr, "usage: stopper PID PERIOD_MS STOP_MS COUNT\n");
		return 2;
	}
	pid = atoi(argv[1]);
	period = atol(argv[2]);
	stop = atol(argv[3]);
	count = atol(argv[4]);
	for (long i = 0; i < count; i++) {
		if (kill(pid, SIGSTOP))
			return 1;
		sleep_ms(stop);
		if (kill(pid, SIGCONT))
			return 1;
		sleep_ms(period > stop ? period - stop : 0);
	}
	return 0;
}
