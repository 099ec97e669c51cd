/* Runs every registered unit test; an optional argument selects tests whose name contains
 * it. Prints one line per test and a closing "N passed, N failed". */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define MAX_TESTS 1024

static struct {
	const char *name, *file;
	unit_fn fn;
} tests[MAX_TESTS];
static int ntests;
int unit_failures;
static const char *fixture_dir = "tests/unit/fixtures";

void unit_register(const char *name, unit_fn fn, const char *file)
{
	if (ntests < MAX_TESTS)
		tests[ntests++] = (typeof(tests[0])){name, file, fn};
}

const char *unit_fixture(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	return path;
}

char *unit_read_fixture(const char *name, size_t *len)
{
	FILE *f = fopen(unit_fixture(name), "rb");
	char *buf;
	long n;

	if (!f) {
		fprintf(stderr, "    missing fixture %s\n", unit_fixture(name));
		unit_failures++;
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	buf[n] = 0;
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *env = getenv("WHYSLOW_FIXTURES");

	if (env)
		fixture_dir = env;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		unit_failures = 0;
		tests[i].fn();
		if (unit_failures) {
			printf("FAIL %s (%s)\n", tests[i].name, tests[i].file);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
