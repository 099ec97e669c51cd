/* Histograms in BPF maps; see histmap.h. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/histmap.h"
#include "lib/sort.h"

int histmap_read_total(int array_fd, unsigned nslots, bool clear, struct hist *out)
{
	uint64_t slots[HIST_MAX_SLOTS];
	uint32_t zero = 0;
	int err;

	if (nslots > HIST_MAX_SLOTS)
		return -1;
	hist_init_log2(out, nslots);
	err = wbpf_percpu_sum(array_fd, &zero, slots, nslots);
	if (err)
		return err;
	hist_add_slots(out, slots, nslots);
	return clear ? wbpf_percpu_zero(array_fd, &zero, nslots) : 0;
}

struct walk_ctx {
	struct hist_set *set;
	unsigned nslots;
	histmap_label_fn label;
	void *ctx;
};

static void add_item(const void *key, const void *value, void *arg)
{
	struct walk_ctx *w = arg;
	struct hist_set *set = w->set;
	struct hist_item *it = hist_set_add(set, w->nslots);

	if (!it)
		return;
	hist_add_slots(&it->hist, value, w->nslots);
	if (!hist_total(&it->hist))
		return; /* emptied by an earlier clear and not hit since */
	if (w->label && !w->label(key, it, w->ctx))
		return;
	set->n++;
}

struct hist_item *hist_set_add(struct hist_set *set, unsigned nslots)
{
	struct hist_item *it;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct hist_item *bigger = realloc(set->items, cap * sizeof(*bigger));
		if (!bigger)
			return NULL;
		set->items = bigger;
		set->cap = cap;
	}
	it = &set->items[set->n];
	memset(it, 0, sizeof(*it));
	hist_init_log2(&it->hist, nslots);
	return it;
}

static int by_sort_key(const void *a, const void *b)
{
	const struct hist_item *x = a, *y = b;

	if (x->sort_key != y->sort_key)
		return x->sort_key < y->sort_key ? -1 : 1;
	return strcmp(x->label, y->label);
}

void hist_set_sort(struct hist_set *set)
{
	sort_rows(set->items, set->n, sizeof(*set->items), by_sort_key);
}

int histmap_read_keyed(int hash_fd, size_t key_size, unsigned nslots, bool clear,
		       histmap_label_fn label, void *ctx, struct hist_set *set)
{
	struct walk_ctx w = {set, nslots, label, ctx};
	int n;

	set->n = 0;
	n = wbpf_hash_walk(hash_fd, key_size, nslots * sizeof(uint64_t), true, clear, add_item, &w);
	if (n < 0)
		return n;
	hist_set_sort(set);
	return 0;
}

bool histmap_label_task(uint32_t id, int comms_fd, struct hist_item *item)
{
	char comm[16] = {0};

	bpf_map_lookup_elem(comms_fd, &id, comm);
	item->has_id = true;
	item->id = id;
	snprintf(item->comm, sizeof(item->comm), "%.16s", comm[0] ? comm : "?");
	snprintf(item->label, sizeof(item->label), "%u %s", id, item->comm);
	item->sort_key = id;
	return true;
}

void hist_set_free(struct hist_set *set)
{
	free(set->items);
	memset(set, 0, sizeof(*set));
}

void hist_set_print(const struct hist_set *set, const char *label_name, const char *unit,
		    FILE *f)
{
	for (size_t i = 0; i < set->n; i++) {
		fprintf(f, "\n%s = %s\n", label_name, set->items[i].label);
		hist_print(&set->items[i].hist, unit, f);
	}
}

void hist_set_json(const struct hist_set *set, const char *label_key, const char *hist_key,
		   const char *unit, struct json *j)
{
	json_array_open(j, "histograms");
	for (size_t i = 0; i < set->n; i++) {
		json_object_open(j, NULL);
		if (set->items[i].has_id) {
			json_u64(j, label_key, set->items[i].id);
			json_str(j, "comm", set->items[i].comm);
		} else {
			json_str(j, label_key, set->items[i].label);
		}
		hist_json(&set->items[i].hist, unit, j, hist_key);
		json_object_close(j);
	}
	json_array_close(j);
}
