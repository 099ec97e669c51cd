/* Histogram maths: slots, bounds, percentiles, merge, text and JSON output. */
#include <stdlib.h>
#include "unit.h"
#include "lib/hist.h"

TEST(hist_log2_slots_match_bpf_side)
{
	struct hist h;

	hist_init_log2(&h, 27);
	/* src/bpf/common.h: slot 0 holds 0 and 1, slot k holds [2^k, 2^(k+1)-1] */
	CHECK_EQ_U64(hist_slot_of(&h, 0), 0);
	CHECK_EQ_U64(hist_slot_of(&h, 1), 0);
	CHECK_EQ_U64(hist_slot_of(&h, 2), 1);
	CHECK_EQ_U64(hist_slot_of(&h, 3), 1);
	CHECK_EQ_U64(hist_slot_of(&h, 4), 2);
	CHECK_EQ_U64(hist_slot_of(&h, 100000), 16); /* 65536..131071: 100 ms in us */
	CHECK_EQ_U64(hist_slot_of(&h, ~0ull), 26);  /* capped to the last slot */
	CHECK_EQ_U64(hist_low(&h, 0), 0);
	CHECK_EQ_U64(hist_high(&h, 0), 1);
	CHECK_EQ_U64(hist_low(&h, 6), 64);
	CHECK_EQ_U64(hist_high(&h, 6), 127);
}

TEST(hist_linear_slots)
{
	struct hist h;

	hist_init_linear(&h, 10, 5, 4); /* [10,14] [15,19] [20,24] [25,29] */
	CHECK_EQ_U64(hist_slot_of(&h, 0), 0);
	CHECK_EQ_U64(hist_slot_of(&h, 14), 0);
	CHECK_EQ_U64(hist_slot_of(&h, 15), 1);
	CHECK_EQ_U64(hist_slot_of(&h, 1000), 3);
	CHECK_EQ_U64(hist_high(&h, 1), 19);
}

TEST(hist_percentiles_from_buckets)
{
	struct hist h;

	hist_init_linear(&h, 0, 10, 10);
	for (int v = 0; v < 100; v++) /* 10 events in each bucket of [0, 99] */
		hist_record(&h, v);
	CHECK_EQ_U64(hist_total(&h), 100);
	CHECK_NEAR(hist_percentile(&h, 50), 49, 1.0);
	CHECK_NEAR(hist_percentile(&h, 90), 89, 1.0);
	CHECK_NEAR(hist_percentile(&h, 99), 98, 1.0);
	CHECK_EQ_U64(hist_max(&h), 99);
	/* a single event: every percentile inside its bucket, never above its bound */
	hist_init_log2(&h, 27);
	hist_record(&h, 100);
	CHECK(hist_percentile(&h, 50) >= 64 && hist_percentile(&h, 50) <= 127);
	CHECK(hist_percentile(&h, 100) <= 127);
	CHECK_EQ_U64(hist_max(&h), 127);
	hist_init_log2(&h, 27);
	CHECK_NEAR(hist_percentile(&h, 50), 0, 0);
	CHECK_EQ_U64(hist_max(&h), 0);
}

TEST(hist_merge_needs_same_shape)
{
	struct hist a, b, c;

	hist_init_log2(&a, 27);
	hist_init_log2(&b, 27);
	hist_init_log2(&c, 20);
	hist_record(&a, 5);
	hist_record(&b, 5);
	hist_record(&b, 1000);
	CHECK(hist_merge(&a, &b) == 0);
	CHECK_EQ_U64(hist_total(&a), 3);
	CHECK_EQ_U64(a.counts[2], 2);
	CHECK(hist_merge(&a, &c) == -1);
}

static char *capture(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void print_it(FILE *f, void *arg) { hist_print(arg, "usecs", f); }

TEST(hist_print_bcc_layout)
{
	struct hist h;
	char *out;

	hist_init_log2(&h, 27);
	hist_record(&h, 1);
	hist_record(&h, 5);
	hist_record(&h, 6);
	out = capture(print_it, &h);
	CHECK(strstr(out, "usecs") != NULL);
	CHECK(strstr(out, "count    distribution") != NULL);
	CHECK(strstr(out, "    0 -> 1          : 1        |********************                    |") != NULL);
	CHECK(strstr(out, "    4 -> 7          : 2        |****************************************|") != NULL);
	CHECK(strstr(out, "8 -> 15") == NULL); /* stops at the last non-empty slot */
	free(out);
	hist_init_log2(&h, 27);
	out = capture(print_it, &h);
	CHECK(strstr(out, "no events") != NULL);
	free(out);
}

static void json_it(FILE *f, void *arg)
{
	struct json j;

	json_begin(&j, f, NULL);
	hist_json(arg, "us", &j, "latency");
	json_end(&j);
}

TEST(hist_json_shape)
{
	struct hist h;
	char *out;

	hist_init_log2(&h, 27);
	hist_record(&h, 3);
	out = capture(json_it, &h);
	CHECK(strstr(out, "\"latency\":{\"unit\":\"us\",\"total\":1,\"buckets\":[{\"le\":1,\"count\":0},"
			  "{\"le\":3,\"count\":1}],\"p50\":") != NULL);
	CHECK(strstr(out, "\"max\":3}") != NULL);
	free(out);
}
