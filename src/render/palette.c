/* Flame graph colours: see palette.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/palette.h"
#include "lib/sort.h"

size_t palette_strip_annotation(const char *s, size_t len)
{
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' && s[len - 1] == ']' &&
	    strchr("kjiw", s[len - 2]) && s[len - 2])
		return len - 4;
	return len;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

/* Three values in [0,1] from the name. */
static void name_values(const char *s, size_t len, bool hash, double v[3])
{
	if (hash) {
		/* weighted towards the first characters, so "ext4_read" and "ext4_write" look
		 * alike; the second and third values read the name backwards */
		double fwd = 0, back = 0, weight = 1, max = 0;
		for (size_t i = 0; i < len && i < 12; i++) {
			fwd += weight * ((unsigned char)s[i] % 23) / 22.0;
			back += weight * ((unsigned char)s[len - 1 - i] % 23) / 22.0;
			max += weight;
			weight *= 0.7;
		}
		v[0] = max > 0 ? fwd / max : 0;
		v[1] = max > 0 ? back / max : 0;
		v[2] = v[1];
		return;
	}
	uint64_t h = 1469598103934665603ull; /* FNV-1a, then a final mix */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	v[0] = (double)(h & 0xffff) / 65535.0;
	v[1] = (double)((h >> 16) & 0xffff) / 65535.0;
	v[2] = (double)((h >> 32) & 0xffff) / 65535.0;
}

static uint8_t clamp8(double x)
{
	return x < 0 ? 0 : x > 255 ? 255 : (uint8_t)(x + 0.5);
}

static struct rgb mk(double r, double g, double b)
{
	return (struct rgb){clamp8(r), clamp8(g), clamp8(b)};
}

/* Language palettes pick a hue from the frame's annotation or shape. */
static enum flame_palette language_hue(enum flame_palette p, const char *s, size_t len)
{
	if (has_suffix(s, len, "_[k]"))
		return PAL_ORANGE; /* kernel */
	if (has_suffix(s, len, "_[i]"))
		return PAL_AQUA; /* inlined */
	if (has_suffix(s, len, "_[j]"))
		return PAL_GREEN; /* JIT-compiled */
	switch (p) {
	case PAL_JAVA:
		if (contains(s, len, "::"))
			return PAL_YELLOW; /* C++ */
		if (contains(s, len, "/") || (len && s[0] == 'L' && contains(s, len, ".")))
			return PAL_GREEN; /* Java class/method */
		return PAL_RED;
	case PAL_JS:
		if (contains(s, len, ".js") || contains(s, len, "/"))
			return PAL_GREEN;
		if (contains(s, len, "::"))
			return PAL_YELLOW;
		if (len && s[0] == '[')
			return PAL_AQUA;
		return PAL_RED;
	case PAL_PERL:
		if (contains(s, len, "::"))
			return PAL_YELLOW;
		if (contains(s, len, ".pl") || contains(s, len, ".pm") || contains(s, len, "Perl"))
			return PAL_GREEN;
		return PAL_RED;
	default:
		return p;
	}
}

struct rgb palette_color(enum flame_palette p, bool hash, const char *name, size_t len)
{
	double v[3];

	name_values(name, len, hash, v);
	if (p == PAL_JAVA || p == PAL_JS || p == PAL_PERL)
		p = language_hue(p, name, len);
	switch (p) {
	case PAL_MEM:
		return mk(0, 190 + 50 * v[1], 210 * v[0]);
	case PAL_IO:
		return mk(80 * v[0], 60 + 55 * v[0], 190 + 55 * v[1]);
	case PAL_WAKEUP:
	case PAL_AQUA:
		return mk(50 + 60 * v[0], 165 + 55 * v[0], 165 + 55 * v[0]);
	case PAL_RED:
		return mk(200 + 55 * v[0], 50 + 80 * v[0], 50 + 80 * v[0]);
	case PAL_GREEN:
		return mk(50 + 60 * v[0], 200 + 55 * v[0], 50 + 60 * v[0]);
	case PAL_BLUE:
		return mk(80 + 60 * v[0], 80 + 60 * v[0], 190 + 55 * v[0]);
	case PAL_YELLOW:
		return mk(175 + 55 * v[0], 175 + 55 * v[0], 50 + 20 * v[0]);
	case PAL_PURPLE:
		return mk(190 + 65 * v[0], 80 + 60 * v[0], 190 + 65 * v[0]);
	case PAL_ORANGE:
		return mk(190 + 65 * v[0], 90 + 65 * v[0], 0);
	case PAL_HOT:
	default:
		return mk(205 + 50 * v[2], 230 * v[0], 55 * v[1]);
	}
}

struct rgb palette_diff_color(double delta, double max_abs)
{
	double v;

	if (delta == 0 || !(max_abs > 0))
		return (struct rgb){250, 250, 250};
	v = 210.0 * (delta < 0 ? -delta : delta) / max_abs;
	if (v > 210)
		v = 210;
	if (delta > 0)
		return mk(255, 250 - v, 250 - v);
	return mk(250 - v, 250 - v, 255);
}

/* --- palette map: a small open-addressing table of names --- */

struct palette_entry {
	char *name;
	size_t len;
	struct rgb c;
};

struct palette_map {
	struct palette_entry *slots;
	size_t nslots, used;
};

static uint64_t map_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 32);
}

static struct palette_entry *map_find(const struct palette_map *m, const char *s, size_t len)
{
	size_t i = map_hash(s, len) & (m->nslots - 1);

	for (;; i = (i + 1) & (m->nslots - 1)) {
		struct palette_entry *e = &m->slots[i];
		if (!e->name || (e->len == len && memcmp(e->name, s, len) == 0))
			return e;
	}
}

bool palette_map_get(const struct palette_map *m, const char *s, size_t len, struct rgb *out)
{
	struct palette_entry *e = map_find(m, s, len);

	if (!e->name)
		return false;
	*out = e->c;
	return true;
}

int palette_map_put(struct palette_map *m, const char *s, size_t len, struct rgb c)
{
	struct palette_entry *e;

	if ((m->used + 1) * 2 > m->nslots) {
		struct palette_map bigger = {calloc(m->nslots * 2, sizeof(*e)), m->nslots * 2, m->used};
		if (!bigger.slots)
			return -1;
		for (size_t i = 0; i < m->nslots; i++)
			if (m->slots[i].name)
				*map_find(&bigger, m->slots[i].name, m->slots[i].len) = m->slots[i];
		free(m->slots);
		*m = bigger;
	}
	e = map_find(m, s, len);
	if (!e->name) {
		if (!(e->name = malloc(len + 1)))
			return -1;
		memcpy(e->name, s, len);
		e->name[len] = 0;
		e->len = len;
		m->used++;
	}
	e->c = c;
	return 0;
}

struct palette_map *palette_map_load(const char *path)
{
	struct palette_map *m = calloc(1, sizeof(*m));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (!m || !(m->slots = calloc(256, sizeof(*m->slots)))) {
		free(m);
		return NULL;
	}
	m->nslots = 256;
	if (!(f = fopen(path, "r")))
		return m; /* created when saved */
	while ((n = getline(&line, &cap, f)) > 0) {
		unsigned r, g, b;
		char *arrow = NULL;
		/* the last "->" separates the name from the colour */
		for (char *p = line; (p = strstr(p, "->")); p += 2)
			arrow = p;
		if (!arrow || sscanf(arrow + 2, "rgb(%u,%u,%u)", &r, &g, &b) != 3 || r > 255 ||
		    g > 255 || b > 255)
			continue;
		palette_map_put(m, line, arrow - line, (struct rgb){r, g, b});
	}
	free(line);
	fclose(f);
	return m;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct palette_entry *x = *(const struct palette_entry *const *)a;
	const struct palette_entry *y = *(const struct palette_entry *const *)b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

int palette_map_save(const struct palette_map *m, const char *path)
{
	struct palette_entry **v = malloc((m->used + 1) * sizeof(*v));
	size_t n = 0;
	char tmp[4096];
	FILE *f;
	int rc = 0;

	if (!v)
		return -1;
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].name)
			v[n++] = &m->slots[i];
	sort_rows(v, n, sizeof(*v), cmp_entry);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* names with a newline cannot be stored in this format */
		if (memchr(v[i]->name, '\n', v[i]->len))
			continue;
		fwrite(v[i]->name, 1, v[i]->len, f);
		fprintf(f, "->rgb(%u,%u,%u)\n", v[i]->c.r, v[i]->c.g, v[i]->c.b);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		rc = -1;
	free(v);
	return rc;
}

void palette_map_free(struct palette_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slots[i].name);
	free(m->slots);
	free(m);
}
