/* Histograms: log2 (slot 0 holds 0 and 1, slot k >= 1 holds [2^k, 2^(k+1)-1], as the
 * BPF side computes with log2_slot() in src/bpf/hist.h) and linear (bucket k holds
 * [min + k*step, min + (k+1)*step - 1]). Merge, percentiles from buckets, bcc-style bars,
 * JSON. */
#ifndef WHYSLOW_HIST_H
#define WHYSLOW_HIST_H

#include <stdint.h>
#include <stdio.h>
#include "lib/out.h"

#define HIST_MAX_SLOTS 128

enum hist_kind { HIST_LOG2, HIST_LINEAR };

struct hist {
	enum hist_kind kind;
	unsigned nslots;
	uint64_t min, step; /* linear only */
	uint64_t counts[HIST_MAX_SLOTS];
};

void hist_init_log2(struct hist *h, unsigned nslots);
void hist_init_linear(struct hist *h, uint64_t min, uint64_t step, unsigned nslots);
/* Adds raw slot counts (e.g. read from a BPF map) to h. */
void hist_add_slots(struct hist *h, const uint64_t *slots, unsigned n);
void hist_record(struct hist *h, uint64_t value); /* user-space recording, for tests/renderers */
unsigned hist_slot_of(const struct hist *h, uint64_t value);
int hist_merge(struct hist *dst, const struct hist *src); /* -1 if shapes differ */
uint64_t hist_total(const struct hist *h);
uint64_t hist_low(const struct hist *h, unsigned slot);
uint64_t hist_high(const struct hist *h, unsigned slot); /* inclusive upper bound */
/* Percentile p in [0,100], interpolated linearly inside the bucket that holds it. Returns
 * 0 for an empty histogram. */
double hist_percentile(const struct hist *h, double p);
/* Upper bound of the highest non-empty bucket (an upper estimate of the maximum). */
uint64_t hist_max(const struct hist *h);
/* bcc-style table with bars: unit is the column title ("usecs", "msecs", "bytes"). */
void hist_print(const struct hist *h, const char *unit, FILE *f);
/* {"unit":..,"total":..,"buckets":[{"le":..,"count":..}],"p50":..,"p90":..,"p99":..,"max":..} */
void hist_json(const struct hist *h, const char *unit, struct json *j, const char *key);

#endif
