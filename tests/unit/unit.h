/* A small unit-test harness: TEST(name) registers a test; CHECK* record failures with
 * file:line and go on. tests/unit/main.c runs them and prints "N passed, N failed". */
#ifndef WHYSLOW_UNIT_H
#define WHYSLOW_UNIT_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn, const char *file);
extern int unit_failures; /* failures in the running test */
/* Path of a fixture under tests/unit/fixtures/ (the runner sets the directory). */
const char *unit_fixture(const char *name);
/* Reads a fixture into a malloc'd NUL-terminated buffer; *len gets its size. */
char *unit_read_fixture(const char *name, size_t *len);

#define TEST(name)                                                                         \
	static void name(void);                                                            \
	__attribute__((constructor)) static void register_##name(void)                     \
	{                                                                                  \
		unit_register(#name, name, __FILE__);                                      \
	}                                                                                  \
	static void name(void)

#define UNIT_FAIL(...)                                                                     \
	do {                                                                               \
		fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);                            \
		fprintf(stderr, __VA_ARGS__);                                              \
		fprintf(stderr, "\n");                                                     \
		unit_failures++;                                                           \
	} while (0)

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond))                                                               \
			UNIT_FAIL("CHECK(%s) failed", #cond);                              \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                                 \
	do {                                                                               \
		unsigned long long a_ = (a), b_ = (b);                                     \
		if (a_ != b_)                                                              \
			UNIT_FAIL("%s == %llu, expected %s == %llu", #a, a_, #b, b_);      \
	} while (0)

#define CHECK_EQ_I64(a, b)                                                                 \
	do {                                                                               \
		long long a_ = (a), b_ = (b);                                              \
		if (a_ != b_)                                                              \
			UNIT_FAIL("%s == %lld, expected %s == %lld", #a, a_, #b, b_);      \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                              \
	do {                                                                               \
		double a_ = (a), b_ = (b);                                                 \
		if (!(fabs(a_ - b_) <= (tol)))                                             \
			UNIT_FAIL("%s == %g, expected %g +- %g", #a, a_, b_, (double)(tol)); \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *a_ = (a), *b_ = (b);                                           \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                     \
			UNIT_FAIL("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", \
				  b_ ? b_ : "(null)");                                     \
	} while (0)

#endif
