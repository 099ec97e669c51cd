/* Rows of a "top" command (biotop, filetop, ...): the (key, summed per-CPU value) pairs of
 * a BPF hash read into one array, sorted, and the header such commands print. */
#ifndef WHYSLOW_TOPROWS_H
#define WHYSLOW_TOPROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct toprows {
	size_t key_size, value_size, row_size;
	size_t n, cap;
	unsigned char *data; /* n rows of key (padded to 8 bytes) then value */
};

void toprows_init(struct toprows *t, size_t key_size, size_t value_size);
/* Reads every element of a per-CPU hash (values of u64 words, summed over CPUs) into t,
 * replacing its rows; with clear the elements are deleted. Returns the row count or < 0. */
int toprows_read(struct toprows *t, int map_fd, bool clear);
/* Sorts rows; cmp gets two rows, each the key padded to 8 bytes then the value, as a
 * struct { KEY key; VALUE value; } lays them out when VALUE holds u64 words. */
void toprows_sort(struct toprows *t, int (*cmp)(const void *row_a, const void *row_b));
const void *toprows_key(const struct toprows *t, size_t i);
const void *toprows_value(const struct toprows *t, size_t i);
void toprows_free(struct toprows *t);

/* "HH:MM:SS loadavg: ..." and a blank line, clearing the screen first if clear and f is
 * a terminal (bcc's top tools do the same). */
void toprows_print_header(FILE *f, bool clear);

#endif
