/* Test workload for funclatency and funcslower: calls nap() with known durations, in
 * microseconds: 10 x 1500, 5 x 24000, 3 x 48000. nap() returns its argument, so that
 * funcslower's return values are known too.
 * usage: sys_napper [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) long nap(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
	return us;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;
	long sum = 0;

	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 10; i++)
			sum += nap(1500);
		for (int i = 0; i < 5; i++)
			sum += nap(24000);
		for (int i = 0; i < 3; i++)
			sum += nap(48000);
	}
	printf("slept %ld us\n", sum);
	return 0;
}
