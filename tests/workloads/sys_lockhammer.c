/* Test workload for lockstat (case C14): THREADS threads of one process map and unmap a
 * page in a loop for SECONDS, so that they contend for the process's mmap lock (an rwsem
 * taken for writing), and prints "pid P" first and "cycles N" at the end. With "wait" the
 * threads start only at SIGUSR1 (tracers attach first and see every wait).
 * usage: sys_lockhammer THREADS SECONDS [wait] */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double seconds;
static unsigned long long cycles[64];

static void *hammer(void *arg)
{
	long id = (long)arg;
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		for (int i = 0; i < 1000; i++) {
			volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return NULL;
			p[0] = 1;
			munmap((void *)p, 4096);
		}
		cycles[id] += 1000;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t threads[64];
	unsigned long long total = 0;

	if (n < 1 || n > 64 || argc < 3)
		return 2;
	seconds = atof(argv[2]);
	if (argc > 3) { /* "wait": block SIGUSR1 before saying the pid, then wait for it */
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("pid %d\n", getpid());
		fflush(stdout);
		sigwait(&set, &sig);
	} else {
		printf("pid %d\n", getpid());
		fflush(stdout);
	}
	for (long i = 0; i < n; i++)
		pthread_create(&threads[i], NULL, hammer, (void *)i);
	for (int i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		total += cycles[i];
	}
	printf("cycles %llu\n", total);
	return 0;
}
