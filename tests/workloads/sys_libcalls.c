/* Test workload for funclatency's short library names (libc:FUNCTION without -p): calls
 * libc's a64l() a known number of times. a64l (base-64 ASCII to long, from old Unix) is a
 * libc function that nothing else on a host calls, so a system-wide count is exactly ours.
 * usage: sys_libcalls [CALLS]   (default 1000) */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000, sum = 0;
	char digits[] = "./";

	for (long i = 0; i < calls; i++) {
		/* a64l is declared pure: a new argument each time keeps the compiler from calling
		 * it once for the whole loop */
		digits[0] = "./"[i & 1];
		sum += a64l(digits);
	}
	printf("called a64l %ld times, sum %ld\n", calls, sum);
	return 0;
}
