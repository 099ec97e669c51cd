/* manystacks SECONDS [BITS]: burns CPU in 2^BITS (default 11: 2048) distinct user stacks,
 * round robin, for profile's stack-map test. Stack `path` descends BITS levels, going
 * through left() or right() at level i as bit i of path says, so any two paths differ in
 * at least one return address, and every stack is BITS * 2 + a few frames deep (far under
 * the 127 frames a stack map keeps). With a few thousand distinct stacks in a 16k-bucket
 * stack map, hash collisions are certain (about N^2 / 2m stacks refused). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LEAF_SPIN 20000 /* iterations at each path's leaf: tens of microseconds */

static volatile unsigned long sink;

static void descend(int level, int bits, unsigned path);

/* Not identical (the constants differ), so no optimisation folds them into one; the add
 * after each call keeps the calls from becoming tail calls, which would drop frames. */
__attribute__((noinline)) static void left(int level, int bits, unsigned path)
{
	descend(level + 1, bits, path);
	sink += 1;
}

__attribute__((noinline)) static void right(int level, int bits, unsigned path)
{
	descend(level + 1, bits, path);
	sink += 2;
}

__attribute__((noinline)) static void descend(int level, int bits, unsigned path)
{
	if (level == bits) {
		unsigned long x = sink;
		for (unsigned long i = 0; i < LEAF_SPIN; i++)
			x = x * 6364136223846793005ul + 1442695040888963407ul;
		sink = x;
		return;
	}
	if (path >> level & 1)
		right(level, bits, path);
	else
		left(level, bits, path);
	sink += 3;
}

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 3, bits = argc > 2 ? atoi(argv[2]) : 11;
	unsigned long rounds = 0;

	if (seconds < 1 || bits < 1 || bits > 20) {
		fprintf(stderr, "usage: manystacks SECONDS [BITS], BITS 1..20\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(seconds);
	while (!stop) {
		for (unsigned path = 0; path < 1u << bits; path++)
			descend(0, bits, path);
		rounds++;
	}
	printf("paths=%u rounds=%lu\n", 1u << bits, rounds);
	return 0;
}
