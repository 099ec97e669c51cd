/* Histograms; see hist.h. */
#include <string.h>
#include "lib/hist.h"

void hist_init_log2(struct hist *h, unsigned nslots)
{
	memset(h, 0, sizeof(*h));
	h->kind = HIST_LOG2;
	h->nslots = nslots > HIST_MAX_SLOTS ? HIST_MAX_SLOTS : nslots;
}

void hist_init_linear(struct hist *h, uint64_t min, uint64_t step, unsigned nslots)
{
	memset(h, 0, sizeof(*h));
	h->kind = HIST_LINEAR;
	h->min = min;
	h->step = step ? step : 1;
	h->nslots = nslots > HIST_MAX_SLOTS ? HIST_MAX_SLOTS : nslots;
}

void hist_add_slots(struct hist *h, const uint64_t *slots, unsigned n)
{
	for (unsigned i = 0; i < n && i < h->nslots; i++)
		h->counts[i] += slots[i];
}

unsigned hist_slot_of(const struct hist *h, uint64_t value)
{
	unsigned slot;

	if (h->kind == HIST_LINEAR) {
		uint64_t k = value < h->min ? 0 : (value - h->min) / h->step;
		slot = k >= h->nslots ? h->nslots - 1 : (unsigned)k;
	} else {
		slot = value < 2 ? 0 : 63 - (unsigned)__builtin_clzll(value);
		if (slot >= h->nslots)
			slot = h->nslots - 1;
	}
	return slot;
}

void hist_record(struct hist *h, uint64_t value)
{
	if (h->nslots)
		h->counts[hist_slot_of(h, value)]++;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->kind != src->kind || dst->nslots != src->nslots ||
	    (src->kind == HIST_LINEAR && (dst->min != src->min || dst->step != src->step)))
		return -1;
	hist_add_slots(dst, src->counts, src->nslots);
	return 0;
}

uint64_t hist_total(const struct hist *h)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < h->nslots; i++)
		t += h->counts[i];
	return t;
}

uint64_t hist_low(const struct hist *h, unsigned slot)
{
	if (h->kind == HIST_LINEAR)
		return h->min + (uint64_t)slot * h->step;
	return slot == 0 ? 0 : 1ull << slot;
}

uint64_t hist_high(const struct hist *h, unsigned slot)
{
	if (h->kind == HIST_LINEAR)
		return h->min + (uint64_t)(slot + 1) * h->step - 1;
	return slot >= 63 ? UINT64_MAX : (2ull << slot) - 1;
}

double hist_percentile(const struct hist *h, double p)
{
	uint64_t total = hist_total(h), seen = 0;
	double rank;

	if (!total)
		return 0;
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	rank = p / 100.0 * (double)total;
	for (unsigned i = 0; i < h->nslots; i++) {
		if (!h->counts[i])
			continue;
		if ((double)(seen + h->counts[i]) >= rank) {
			/* spread the bucket's events evenly over [low, high] */
			double lo = (double)hist_low(h, i), hi = (double)hist_high(h, i);
			double frac = (rank - (double)seen) / (double)h->counts[i];
			return lo + frac * (hi - lo);
		}
		seen += h->counts[i];
	}
	return (double)hist_max(h);
}

uint64_t hist_max(const struct hist *h)
{
	for (unsigned i = h->nslots; i-- > 0;)
		if (h->counts[i])
			return hist_high(h, i);
	return 0;
}

static void print_bar(uint64_t count, uint64_t max, unsigned width, FILE *f)
{
	unsigned n = max ? (unsigned)((double)count * width / (double)max) : 0;

	fputc('|', f);
	for (unsigned i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
	fputc('|', f);
}

void hist_print(const struct hist *h, const char *unit, FILE *f)
{
	uint64_t max = 0;
	int last = -1, first = 0;

	for (unsigned i = 0; i < h->nslots; i++) {
		if (h->counts[i] > max)
			max = h->counts[i];
		if (h->counts[i])
			last = (int)i;
	}
	if (last < 0) {
		fprintf(f, "     (no events)\n");
		return;
	}
	if (h->kind == HIST_LINEAR)
		while (first < last && !h->counts[first])
			first++;
	/* bcc's layout: wide value columns only when the values need them */
	int width = hist_high(h, (unsigned)last) >= 10000000000ull ? 20 : 10;
	fprintf(f, "%*s%*s : count    distribution\n", width + 5, unit, width + 4, "");
	for (int i = first; i <= last; i++) {
		fprintf(f, "%*llu -> %-*llu : %-8llu ", width + 5,
			(unsigned long long)hist_low(h, (unsigned)i), width,
			(unsigned long long)hist_high(h, (unsigned)i), (unsigned long long)h->counts[i]);
		print_bar(h->counts[i], max, 40, f);
		fputc('\n', f);
	}
}

void hist_json(const struct hist *h, const char *unit, struct json *j, const char *key)
{
	int last = -1;

	for (unsigned i = 0; i < h->nslots; i++)
		if (h->counts[i])
			last = (int)i;
	json_object_open(j, key);
	json_str(j, "unit", unit);
	json_u64(j, "total", hist_total(h));
	json_array_open(j, "buckets");
	for (int i = 0; i <= last; i++) {
		json_object_open(j, NULL);
		json_u64(j, "le", hist_high(h, (unsigned)i));
		json_u64(j, "count", h->counts[i]);
		json_object_close(j);
	}
	json_array_close(j);
	json_double(j, "p50", hist_percentile(h, 50));
	json_double(j, "p90", hist_percentile(h, 90));
	json_double(j, "p99", hist_percentile(h, 99));
	json_u64(j, "max", hist_max(h));
	json_object_close(j);
}
