/* Histograms kept by BPF programs in maps: a per-CPU array with one total histogram, or
 * a per-CPU hash from a command's key (disk, PID, syscall, ...) to a histogram. Reads,
 * labels, sorts, prints and clears them, so histogram commands share one code path. */
#ifndef WHYSLOW_HISTMAP_H
#define WHYSLOW_HISTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/hist.h"
#include "lib/out.h"

struct hist_item {
	char label[128];    /* shown as "<label_name> = <label>" */
	uint64_t sort_key;  /* items print in increasing sort_key */
	bool has_id;        /* JSON: label_key carries id as a number, plus "comm" */
	uint64_t id;
	char comm[32];
	struct hist hist;
};

struct hist_set {
	struct hist_item *items;
	size_t n, cap;
};

/* Writes the label and sort key of a map key; returns false to drop the key. */
typedef bool (*histmap_label_fn)(const void *key, struct hist_item *item, void *ctx);

/* Reads the histogram at index 0 of a per-CPU array of nslots u64 words into out. */
int histmap_read_total(int array_fd, unsigned nslots, bool clear, struct hist *out);
/* Reads every histogram of a per-CPU hash (value: nslots u64 words) into set, sorted. */
int histmap_read_keyed(int hash_fd, size_t key_size, unsigned nslots, bool clear,
		       histmap_label_fn label, void *ctx, struct hist_set *set);
void hist_set_free(struct hist_set *set);
/* A fresh item at the end of set: zeroed, with an empty log2 histogram of nslots; not
 * counted until the caller keeps it (set->n++). NULL when out of memory. */
struct hist_item *hist_set_add(struct hist_set *set, unsigned nslots);
/* Sorts the items by sort_key, then label (what histmap_read_keyed leaves them in). */
void hist_set_sort(struct hist_set *set);
/* Labels a per-task key (tgid or tid) with the name kept in the BPF map comms_fd (u32 ->
 * char[16], see src/bpf/taskhist.h): "ID comm", sorted by ID, id and comm for JSON. */
bool histmap_label_task(uint32_t id, int comms_fd, struct hist_item *item);

/* Text: for each item "\n<label_name> = <label>\n" and the bars. */
void hist_set_print(const struct hist_set *set, const char *label_name, const char *unit,
		    FILE *f);
/* JSON: "histograms":[{"<label_key>":"<label>", "<hist_key>":{hist}}...]; items with
 * has_id give {"<label_key>":id,"comm":"<comm>",...} instead. */
void hist_set_json(const struct hist_set *set, const char *label_key, const char *hist_key,
		   const char *unit, struct json *j);

#endif
