/* Known functions for the symbol tests (tests/unit/test_syms.c). It prints "NAME ADDRESS"
 * for each, then waits until its stdin closes, so that a test can resolve the addresses
 * in a live process, also after its file has been deleted. */
#include <stdio.h>

__attribute__((noinline)) int symtest_alpha(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int symtest_beta(int x)
{
	volatile int sum = 0;

	for (int i = 0; i < x; i++)
		sum += symtest_alpha(i);
	return sum;
}

__attribute__((noinline)) static int symtest_local(int x)
{
	return symtest_beta(x) ^ 0x55;
}

int main(void)
{
	printf("symtest_alpha %p\n", (void *)symtest_alpha);
	printf("symtest_beta %p\n", (void *)symtest_beta);
	printf("symtest_local %p\n", (void *)symtest_local);
	fflush(stdout);
	while (getchar() != EOF)
		;
	return symtest_local(3) == 0x55 ? 1 : 0;
}
