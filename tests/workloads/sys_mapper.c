/* Test workload for mmaplock and funclatency (case C5): builds an address space of VMAS
 * small mappings (alternating protections, so they don't merge), then for SECONDS maps
 * and unmaps one page in a loop (map_cycle(): mmap takes the mmap lock for writing), and
 * prints "cycles N max_us M". Its PID is printed first ("pid P") for tracers.
 * usage: sys_mapper VMAS SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

__attribute__((noinline)) int map_cycle(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	p[0] = 1;
	return munmap((void *)p, 4096);
}

int main(int argc, char **argv)
{
	long vmas, page = sysconf(_SC_PAGESIZE);
	unsigned long long end, cycles = 0, max_us = 0;
	char *base;

	if (argc < 3)
		return 2;
	vmas = atol(argv[1]);
	base = mmap(NULL, vmas * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (long i = 0; i < vmas; i += 2) /* every other page writable: vmas VMAs */
		mprotect(base + i * page, page, PROT_READ | PROT_WRITE);
	printf("pid %d\n", getpid());
	fflush(stdout);
	end = now_us() + atof(argv[2]) * 1e6;
	while (now_us() < end) {
		unsigned long long t0 = now_us(), d;

		if (map_cycle())
			return 1;
		d = now_us() - t0;
		if (d > max_us)
			max_us = d;
		cycles++;
	}
	printf("cycles %llu max_us %llu\n", cycles, max_us);
	return 0;
}
