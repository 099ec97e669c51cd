/* Generates "time latency" points for the heat map benchmark (bench/render/run.sh):
 *   gen_points N [SECONDS [SEED]]
 * Times rise evenly over SECONDS (default 600) with jitter, in seconds with microsecond
 * digits; latencies in microseconds from two modes (a fast path near 200 us and a slow
 * one near 4 ms, 15 % of points) with a long tail, as disk I/O tends to look. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x2545f4914f6cdd1dull;

static double uniform(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return ((state * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	double seconds = argc > 2 ? atof(argv[2]) : 600;
	if (argc > 3)
		state ^= strtoull(argv[3], NULL, 10);
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	for (unsigned long i = 0; i < n; i++) {
		double t = seconds * (i + uniform()) / n;
		double base = uniform() < 0.85 ? 200 : 4000;
		double lat = base * exp(0.5 * (uniform() + uniform() + uniform() - 1.5) * 2);
		if (uniform() < 0.001)
			lat *= 10;
		printf("%.6f %.1f\n", t, lat);
	}
	return 0;
}
