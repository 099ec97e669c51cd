/* See toprows.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/toprows.h"
#include "lib/sort.h"

static size_t key_room(size_t key_size) { return (key_size + 7) & ~(size_t)7; }

void toprows_init(struct toprows *t, size_t key_size, size_t value_size)
{
	memset(t, 0, sizeof(*t));
	t->key_size = key_size;
	t->value_size = value_size;
	t->row_size = key_room(key_size) + value_size;
}

static void add_row(const void *key, const void *value, void *ctx)
{
	struct toprows *t = ctx;
	unsigned char *row;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		unsigned char *data = realloc(t->data, cap * t->row_size);
		if (!data)
			return; /* rows beyond memory are dropped, not fatal */
		t->data = data;
		t->cap = cap;
	}
	row = t->data + t->n * t->row_size;
	memset(row, 0, t->row_size);
	memcpy(row, key, t->key_size);
	memcpy(row + key_room(t->key_size), value, t->value_size);
	t->n++;
}

int toprows_read(struct toprows *t, int map_fd, bool clear)
{
	t->n = 0;
	int err = wbpf_hash_walk(map_fd, t->key_size, t->value_size, true, clear, add_row, t);
	return err < 0 ? err : (int)t->n;
}


void toprows_sort(struct toprows *t, int (*cmp)(const void *, const void *))
{
	sort_rows(t->data, t->n, t->row_size, cmp);
}

const void *toprows_key(const struct toprows *t, size_t i) { return t->data + i * t->row_size; }

const void *toprows_value(const struct toprows *t, size_t i)
{
	return t->data + i * t->row_size + key_room(t->key_size);
}

void toprows_free(struct toprows *t)
{
	free(t->data);
	t->data = NULL;
	t->n = t->cap = 0;
}

void toprows_print_header(FILE *f, bool clear)
{
	char now[16], load[128] = "";
	FILE *la;

	if (clear && isatty(fileno(f)))
		fputs("\033[H\033[2J", f);
	if ((la = fopen("/proc/loadavg", "r"))) {
		if (!fgets(load, sizeof(load), la))
			load[0] = 0;
		fclose(la);
		load[strcspn(load, "\n")] = 0;
	}
	cli_strftime_now(now, sizeof(now));
	fprintf(f, "%s loadavg: %s\n\n", now, load);
}
