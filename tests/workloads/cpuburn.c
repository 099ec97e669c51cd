/* cpuburn SECONDS: burns CPU in two known functions in a 2:1 ratio of work (burn_a does
 * twice the iterations of burn_b, with the same loop), plus some kernel time in
 * kernel_part (reads of /dev/zero: the kernel clears the buffer), for profile's tests. Work is counted in iterations,
 * not time, so preemption on a busy machine does not change the ratio. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 200000

static volatile unsigned long sink;

/* A call makes burn_a/burn_b non-leaf functions, so they get a frame pointer (gcc omits
 * it in leaves) and their caller main shows in the stacks. */
static void enter(void)
{
	__asm__ volatile("" ::: "memory");
}

/* The loop is written out in each function (not a shared helper, which would be the
 * sampled leaf and, called as a tail call, hide its caller from frame-pointer stacks). */
#define SPIN(n)                                                                            \
	do {                                                                               \
		unsigned long x = sink;                                                    \
		for (unsigned long i = 0; i < (n); i++)                                    \
			x = x * 6364136223846793005ul + 1442695040888963407ul;             \
		sink = x;                                                                  \
	} while (0)

void burn_a(void)
{
	enter();
	SPIN(2 * CHUNK);
}

void burn_b(void)
{
	enter();
	SPIN(CHUNK);
}

void kernel_part(int fd)
{
	static char buf[256 << 10];

	if (read(fd, buf, sizeof(buf)) < 0)
		exit(1);
}

static uint64_t thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3, end = now_s() + seconds;
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		return 1;
	uint64_t a_us = 0, b_us = 0, t;

	while (now_s() < end) {
		t = thread_cpu_us();
		burn_a();
		a_us += thread_cpu_us() - t;
		t = thread_cpu_us();
		burn_b();
		b_us += thread_cpu_us() - t;
		kernel_part(fd);
	}
	printf("burn_a_us=%llu burn_b_us=%llu\n", (unsigned long long)a_us,
	       (unsigned long long)b_us);
	return 0;
}
