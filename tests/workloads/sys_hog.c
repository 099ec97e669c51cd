/* Test workload for oomkill and memstat (cases C12, C5): allocates and touches MB
 * mebibytes, one at a time, prints "allocated MB MB", then sleeps SECONDS (default 1);
 * inside a smaller memory cgroup the OOM killer kills it on the way.
 * usage: sys_hog MB [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int mb = argc > 1 ? atoi(argv[1]) : 256;

	for (int i = 0; i < mb; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return 1;
		memset(p, i, 1 << 20);
	}
	printf("allocated %d MB\n", mb);
	fflush(stdout);
	sleep(argc > 2 ? atoi(argv[2]) : 1);
	return 0;
}
