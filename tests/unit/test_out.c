/* JSON writer: nesting, separators, escaping, numbers. */
#include <stdlib.h>
#include <math.h>
#include "unit.h"
#include "lib/out.h"

static char *render(void (*fn)(struct json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_begin(&j, f, "test");
	fn(&j);
	json_end(&j);
	fclose(f);
	char *copy = strdup(buf); /* a heap copy: gcc can't follow memstream's buffer */
	free(buf);
	return copy;
}

static void nested(struct json *j)
{
	json_u64(j, "a", 1);
	json_array_open(j, "list");
	json_object_open(j, NULL);
	json_str(j, "name", "x");
	json_object_close(j);
	json_object_open(j, NULL);
	json_i64(j, "neg", -5);
	json_object_close(j);
	json_array_close(j);
	json_bool(j, "ok", true);
	json_null(j, "none");
}

TEST(json_nesting_and_separators)
{
	char *out = render(nested);
	const char *body = strstr(out, "\"a\":1");

	CHECK(strncmp(out, "{\"command\":\"test\",\"timestamp\":\"", 31) == 0);
	CHECK(body != NULL);
	CHECK(body && strcmp(body, "\"a\":1,\"list\":[{\"name\":\"x\"},{\"neg\":-5}],\"ok\":true,\"none\":null}\n") == 0);
	free(out);
}

static void escapes(struct json *j)
{
	json_str(j, "s", "q\"b\\n\nt\tc\x01z");
	json_str(j, "null", NULL);
}

TEST(json_escapes_strings)
{
	char *out = render(escapes);

	CHECK(strstr(out, "\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001z\"") != NULL);
	CHECK(strstr(out, "\"null\":null") != NULL);
	free(out);
}

static void numbers(struct json *j)
{
	json_double(j, "int", 42.0);
	json_double(j, "frac", 0.25);
	json_double(j, "nan", NAN);
	json_double(j, "inf", INFINITY);
	json_u64(j, "big", 18446744073709551615ull);
}

TEST(json_numbers)
{
	char *out = render(numbers);

	CHECK(strstr(out, "\"int\":42,\"frac\":0.25,\"nan\":null,\"inf\":null,\"big\":18446744073709551615}") != NULL);
	free(out);
}
