/* Symbolization; see syms.h. Three parts: kernel symbols (kallsyms), ELF symbols of one
 * file, and user addresses of a process (maps -> file -> ELF symbols, or perf-PID.map).
 * Nothing here trusts its input: /proc text, ELF files and perf maps may be truncated,
 * deleted or hostile, and the answer then is "not found", never a crash. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "lib/procfs.h"
#include "lib/syms.h"
#include "lib/sort.h"

/* ---------------------------------------------------------------------------------------
 * Small text helpers shared by the parsers. All take [p, end) and never read past end. */

/* Parses up to 16 hex digits (an optional "0x" first); false if there are none. */
static bool parse_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int digits = 0;

	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p < end && digits < 16; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits)
		return false;
	*pp = p;
	*out = v;
	return true;
}

static bool parse_dec(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	while (p < end && *p >= '0' && *p <= '9' && v < UINT64_MAX / 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == *pp)
		return false;
	*pp = p;
	*out = v;
	return true;
}

static bool expect_char(const char **pp, const char *end, char c)
{
	if (*pp >= end || **pp != c)
		return false;
	(*pp)++;
	return true;
}

static void skip_blanks(const char **pp, const char *end)
{
	while (*pp < end && (**pp == ' ' || **pp == '\t'))
		(*pp)++;
}

/* Reads a whole file, even one whose stat size is 0 as in /proc, into a NUL-terminated
 * malloc'd buffer. hint is the first buffer size: kallsyms is megabytes, maps is not. */
static char *read_whole_file(const char *path, size_t hint, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = procfs_read_fd(fd, hint, len);
	close(fd);
	return buf;
}

static char *end_of_line(char *p, char *end)
{
	char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* Arrays sorted by a uint64_t that is each element's first field (an address), elements
 * stride bytes apart: one binary search serves symbols, mappings and perf maps. */
static uint64_t key_at(const void *base, size_t stride, size_t i)
{
	uint64_t key;

	memcpy(&key, (const char *)base + i * stride, sizeof(key));
	return key;
}

/* How many elements have a key below value (or equal to it, if inclusive). */
static size_t count_below(const void *base, size_t count, size_t stride, uint64_t value,
			  bool inclusive)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t key = key_at(base, stride, mid);

		if (key < value || (inclusive && key == value))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the element with the greatest key <= value, or -1. Of several with that key
 * (names for one address) the first in sort order, which the sort puts best first. */
static long floor_first(const void *base, size_t count, size_t stride, uint64_t value)
{
	size_t n = count_below(base, count, stride, value, true);

	if (!n)
		return -1;
	return (long)count_below(base, n, stride, key_at(base, stride, n - 1), false);
}

/* Lines in text, counting a last one without a newline: an upper bound for arrays. */
static size_t count_lines(const char *text, size_t len)
{
	size_t lines = 1;

	for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))); p++)
		lines++;
	return lines;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------------------------------
 * Kernel symbols. The text of kallsyms is kept whole and NUL-terminated in place, so a
 * symbol is 16 bytes (address and two offsets into the text) and loading does one
 * allocation for all names instead of one per line. */

#define KSYM_NO_MODULE UINT32_MAX
/* kallsyms gives no sizes: a symbol ends where the next begins. The last one has no next,
 * so it gets this much; more would put arbitrary addresses on it. */
#define KSYM_LAST_SPAN (64 * 1024)

struct ksym {
	uint64_t addr;
	uint32_t name;   /* offset in text */
	uint32_t module; /* offset in text of "[module]", or KSYM_NO_MODULE */
};

struct ksyms {
	struct ksym *syms;
	size_t count;
	char *text;
};

/* Parses one line "ADDR TYPE NAME[\t[MODULE]]" at text[*pos], NUL-terminating the name and
 * module in place; advances *pos past the line. false if the line is not a symbol. */
static bool ksym_parse_line(char *text, size_t len, size_t *pos, struct ksym *out)
{
	char *line = text + *pos, *nl = memchr(line, '\n', len - *pos);
	const char *p = line, *end = nl ? nl : text + len;
	char *name, *name_end, *module;

	*pos = nl ? (size_t)(nl - text) + 1 : len;
	if (!parse_hex(&p, end, &out->addr) || !expect_char(&p, end, ' ') || p >= end ||
	    *p == ' ' || !expect_char(&p, end, *p) || !expect_char(&p, end, ' ') || p >= end)
		return false;
	name = (char *)p;
	name_end = name;
	while (name_end < end && (unsigned char)*name_end > ' ')
		name_end++;
	/* A name ends at a blank or the line's end; control bytes mean it is no symbol. */
	if (name_end == name || (name_end < end && *name_end != '\t' && *name_end != ' '))
		return false;
	out->name = (uint32_t)(name - text);
	out->module = KSYM_NO_MODULE;
	module = name_end;
	while (module < end && (*module == '\t' || *module == ' '))
		module++;
	if (module < end && *module == '[') {
		char *close = memchr(module, ']', (size_t)(end - module));

		if (close) {
			close[1] = 0; /* text has a NUL after its last byte */
			out->module = (uint32_t)(module - text);
		}
	}
	/* Terminate the name last: the module test above may sit on the same byte. */
	*name_end = 0;
	if (nl)
		*nl = 0;
	return true;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Names sit in file order in the text, so this keeps duplicates in file order. */
	return x->name < y->name ? -1 : x->name > y->name;
}

static bool ksyms_sorted(const struct ksyms *ks)
{
	for (size_t i = 1; i < ks->count; i++)
		if (ksym_cmp(&ks->syms[i - 1], &ks->syms[i]) > 0)
			return false;
	return true;
}

/* Takes ownership of text (len bytes plus a NUL). NULL when no symbol has an address:
 * that is what kallsyms shows to readers that kptr_restrict hides addresses from. */
static struct ksyms *ksyms_from_text(char *text, size_t len)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	size_t lines, pos = 0;
	bool any_address = false;

	if (!ks || len >= UINT32_MAX)
		goto fail;
	ks->text = text;
	lines = count_lines(text, len);
	ks->syms = malloc(lines * sizeof(*ks->syms));
	if (!ks->syms)
		goto fail;
	while (pos < len) {
		struct ksym *s = &ks->syms[ks->count];

		if (ksym_parse_line(text, len, &pos, s)) {
			any_address |= s->addr != 0;
			ks->count++;
		}
	}
	if (!any_address) {
		errno = EPERM;
		goto fail;
	}
	/* The core kernel's lines come sorted; modules and BPF programs usually don't. */
	if (!ksyms_sorted(ks))
		sort_rows(ks->syms, ks->count, sizeof(*ks->syms), ksym_cmp);
	return ks;
fail:
	if (ks) {
		free(ks->syms);
		free(ks);
	}
	free(text);
	return NULL;
}

struct ksyms *ksyms_parse(const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return NULL;
	if (len) /* text may be NULL when empty */
		memcpy(copy, text, len);
	copy[len] = 0;
	return ksyms_from_text(copy, len);
}

struct ksyms *ksyms_load(void)
{
	size_t len;
	char *text = read_whole_file("/proc/kallsyms", 8 << 20, &len);

	return text ? ksyms_from_text(text, len) : NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->text);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->count : 0;
}

/* Each line has its own copy of "[module]", so modules compare by text. */
static bool same_module(const struct ksyms *ks, const struct ksym *a, const struct ksym *b)
{
	if (a->module == KSYM_NO_MODULE || b->module == KSYM_NO_MODULE)
		return a->module == b->module;
	return strcmp(ks->text + a->module, ks->text + b->module) == 0;
}

bool ksyms_lookup(const struct ksyms *ks, uint64_t addr, struct sym *out)
{
	/* Of several names for one address, the first kallsyms lists (the sort keeps it). */
	long i = ks ? floor_first(ks->syms, ks->count, sizeof(*ks->syms), addr) : -1;
	const struct ksym *s = i >= 0 ? &ks->syms[i] : NULL;

	memset(out, 0, sizeof(*out));
	if (!s)
		return false;
	/* Beyond the last symbol nothing says where it ends; nor beyond the last of a region
	 * (the core kernel, a module, the BPF programs) when the next symbol is another
	 * region's: the gap between them is unmapped or holds code kallsyms does not list
	 * yet, such as a BPF program loaded after it was read. */
	if (addr - s->addr >= KSYM_LAST_SPAN) {
		const struct ksym *next = s + 1, *end = ks->syms + ks->count;

		while (next < end && next->addr == s->addr)
			next++;
		if (next == end || !same_module(ks, s, next))
			return false;
	}
	out->name = ks->text + s->name;
	out->offset = addr - s->addr;
	out->module = s->module == KSYM_NO_MODULE ? NULL : ks->text + s->module;
	return true;
}

uint64_t ksyms_addr(const struct ksyms *ks, const char *name)
{
	/* A linear scan: callers ask for a few names when attaching, not per event. */
	for (size_t i = 0; ks && i < ks->count; i++)
		if (strcmp(ks->text + ks->syms[i].name, name) == 0)
			return ks->syms[i].addr;
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * /proc/PID/maps: "START-END PERMS OFFSET MAJOR:MINOR INODE    PATH". The path may hold
 * spaces and ends in " (deleted)" once the file is unlinked. */

#define DELETED_SUFFIX " (deleted)"

static bool perms_valid(const char *p)
{
	return (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
	       (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's');
}

static bool map_parse_fields(const char **pp, const char *end, struct proc_map *m)
{
	uint64_t major, minor;

	if (!parse_hex(pp, end, &m->start) || !expect_char(pp, end, '-') ||
	    !parse_hex(pp, end, &m->end) || !expect_char(pp, end, ' ') || end - *pp < 5 ||
	    !perms_valid(*pp))
		return false;
	memcpy(m->perms, *pp, 4);
	m->perms[4] = 0;
	*pp += 4;
	if (!expect_char(pp, end, ' ') || !parse_hex(pp, end, &m->file_offset) ||
	    !expect_char(pp, end, ' ') || !parse_hex(pp, end, &major) ||
	    !expect_char(pp, end, ':') || !parse_hex(pp, end, &minor) ||
	    !expect_char(pp, end, ' ') || !parse_dec(pp, end, &m->inode))
		return false;
	m->dev_major = (unsigned)major;
	m->dev_minor = (unsigned)minor;
	return m->start < m->end;
}

/* Parses the line [line, end), NUL-terminating its path in place. */
static bool map_parse_line(char *line, char *end, struct proc_map *m)
{
	const char *p = line;
	char *path;
	size_t len, suffix = sizeof(DELETED_SUFFIX) - 1;

	memset(m, 0, sizeof(*m));
	if (!map_parse_fields(&p, end, m))
		return false;
	if (p < end && *p != ' ')
		return false;
	skip_blanks(&p, end);
	path = (char *)p;
	len = (size_t)(end - path);
	if (len > suffix && memcmp(end - suffix, DELETED_SUFFIX, suffix) == 0) {
		m->deleted = true;
		len -= suffix;
	}
	path[len] = 0;
	m->path = path;
	return true;
}

static int map_cmp(const void *a, const void *b)
{
	const struct proc_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct proc_maps *proc_maps_parse(const char *text, size_t len)
{
	struct proc_maps *pm = calloc(1, sizeof(*pm));
	size_t lines;
	bool sorted = true;
	char *line, *eol, *end;

	if (!pm || !(pm->text = malloc(len + 1)))
		goto fail;
	if (len)
		memcpy(pm->text, text, len);
	pm->text[len] = 0;
	lines = count_lines(pm->text, len);
	if (!(pm->maps = malloc(lines * sizeof(*pm->maps))))
		goto fail;
	end = pm->text + len;
	/* eol is found before the line is parsed: parsing turns the newline into a NUL. */
	for (line = pm->text; line < end; line = eol + 1) {
		struct proc_map *m = &pm->maps[pm->count];

		eol = end_of_line(line, end);

		if (!map_parse_line(line, eol, m))
			continue;
		sorted &= !pm->count || m->start >= m[-1].start;
		pm->count++;
	}
	/* The kernel lists mappings in order; sorting is for input that is not the kernel's. */
	if (!sorted)
		sort_rows(pm->maps, pm->count, sizeof(*pm->maps), map_cmp);
	return pm;
fail:
	proc_maps_free(pm);
	return NULL;
}

long proc_maps_find(const struct proc_maps *pm, uint64_t addr)
{
	long i = pm ? floor_first(pm->maps, pm->count, sizeof(*pm->maps), addr) : -1;

	return i >= 0 && addr < pm->maps[i].end ? i : -1;
}

void proc_maps_free(struct proc_maps *pm)
{
	if (!pm)
		return;
	free(pm->maps);
	free(pm->text);
	free(pm);
}

/* ---------------------------------------------------------------------------------------
 * ELF symbols of one file: functions (STT_FUNC, STT_GNU_IFUNC) sorted by address, names
 * copied into one buffer so that the file is closed once read. The PT_LOAD segments are
 * kept to translate between file offsets and the addresses symbols use. */

struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
};

struct elf_sym {
	uint64_t addr, size; /* size is st_size, or the distance to the next symbol */
	uint32_t name;       /* offset in names */
	uint8_t rank;        /* of several names for one address, the lowest is shown */
};

struct elf_syms {
	struct elf_sym *syms;
	size_t count;
	struct elf_seg *segs;
	size_t nsegs;
	char *names;
	char *path;
};

static bool elf_load_segments(Elf *elf, struct elf_syms *es)
{
	size_t n;

	if (elf_getphdrnum(elf, &n) != 0)
		return false;
	es->segs = calloc(n ? n : 1, sizeof(*es->segs));
	if (!es->segs)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		es->segs[es->nsegs++] = (struct elf_seg){ph.p_vaddr, ph.p_memsz, ph.p_offset,
							 ph.p_filesz};
	}
	return true;
}

static Elf_Scn *elf_find_section(Elf *elf, Elf64_Word type, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type)
			return scn;
	return NULL;
}

static bool elf_sym_wanted(const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);

	return (type == STT_FUNC || type == STT_GNU_IFUNC) && sym->st_shndx != SHN_UNDEF &&
	       sym->st_value != 0;
}

/* Exported names before local ones, then fewer leading underscores: "getpid" rather than
 * "__getpid" or the local "__GI___getpid" for the same code. */
static uint8_t elf_sym_rank(const GElf_Sym *sym, const char *name)
{
	uint8_t underscores = 0;

	while (name[underscores] == '_' && underscores < 15)
		underscores++;
	return (uint8_t)((GELF_ST_BIND(sym->st_info) == STB_LOCAL ? 16 : 0) + underscores);
}

/* Name of symbol i if it is a function worth keeping, else NULL. */
static const char *elf_sym_get(Elf *elf, Elf_Data *data, const GElf_Shdr *shdr, size_t i,
			       GElf_Sym *sym)
{
	const char *name;

	if (!gelf_getsym(data, (int)i, sym) || !elf_sym_wanted(sym))
		return NULL;
	name = elf_strptr(elf, shdr->sh_link, sym->st_name);
	return name && *name ? name : NULL;
}

/* Two passes over the table: the first sizes the arrays, the second fills them. */
static bool elf_read_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr,
			     struct elf_syms *es)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, count = 0, names_len = 0;
	GElf_Sym sym;
	const char *name;

	if (!data || !shdr->sh_entsize)
		return false;
	n = data->d_size / shdr->sh_entsize;
	for (size_t i = 0; i < n; i++)
		if ((name = elf_sym_get(elf, data, shdr, i, &sym))) {
			count++;
			names_len += strlen(name) + 1;
		}
	if (names_len >= UINT32_MAX)
		return false;
	es->syms = malloc((count ? count : 1) * sizeof(*es->syms));
	es->names = malloc(names_len ? names_len : 1);
	if (!es->syms || !es->names)
		return false;
	names_len = 0;
	for (size_t i = 0; i < n && es->count < count; i++) {
		size_t len;

		if (!(name = elf_sym_get(elf, data, shdr, i, &sym)))
			continue;
		len = strlen(name) + 1;
		memcpy(es->names + names_len, name, len);
		es->syms[es->count++] = (struct elf_sym){sym.st_value, sym.st_size,
							 (uint32_t)names_len,
							 elf_sym_rank(&sym, name)};
		names_len += len;
	}
	return true;
}

static int elf_sym_cmp(const void *a, const void *b, void *names)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp((char *)names + x->name, (char *)names + y->name);
}

static const struct elf_seg *elf_seg_of_vaddr(const struct elf_syms *es, uint64_t vaddr)
{
	for (size_t i = 0; i < es->nsegs; i++)
		if (vaddr >= es->segs[i].vaddr && vaddr - es->segs[i].vaddr < es->segs[i].memsz)
			return &es->segs[i];
	return NULL;
}

/* Symbols without st_size (hand-written assembly, some PLT-like stubs) end where the next
 * address begins, or at the end of their segment. */
static void elf_fill_sizes(struct elf_syms *es)
{
	for (size_t i = 0; i < es->count; i++) {
		struct elf_sym *s = &es->syms[i];
		const struct elf_seg *seg;
		size_t next = i + 1;

		if (s->size)
			continue;
		while (next < es->count && es->syms[next].addr == s->addr)
			next++;
		if (next < es->count)
			s->size = es->syms[next].addr - s->addr;
		else if ((seg = elf_seg_of_vaddr(es, s->addr)))
			s->size = seg->vaddr + seg->memsz - s->addr;
		else
			s->size = 1;
	}
}

static bool elf_same_build_id(Elf *a, Elf *b)
{
	const void *id_a, *id_b;
	ssize_t len_a = dwelf_elf_gnu_build_id(a, &id_a);
	ssize_t len_b = dwelf_elf_gnu_build_id(b, &id_b);

	if (len_a <= 0)
		return true; /* nothing to compare: trust the name */
	return len_a == len_b && memcmp(id_a, id_b, (size_t)len_a) == 0;
}

/* Opens path as a separate debug file for elf: an ELF file with a symbol table and the
 * same build ID. On success *fd holds its descriptor. */
static Elf *elf_open_debug_candidate(Elf *elf, const char *path, int *fd)
{
	GElf_Shdr shdr;
	Elf *debug;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	debug = elf_begin(*fd, ELF_C_READ, NULL);
	if (debug && elf_kind(debug) == ELF_K_ELF && elf_same_build_id(elf, debug) &&
	    elf_find_section(debug, SHT_SYMTAB, &shdr))
		return debug;
	elf_end(debug);
	close(*fd);
	*fd = -1;
	return NULL;
}

/* Debug file by build ID: /usr/lib/debug/.build-id/ab/cdef....debug. */
static Elf *elf_open_debug_by_build_id(Elf *elf, const char *root, int *fd)
{
	const unsigned char *id;
	ssize_t len = dwelf_elf_gnu_build_id(elf, (const void **)&id);
	char hex[2 * 64 + 1], path[PATH_MAX];
	Elf *debug = NULL;

	if (len < 2 || len > 64)
		return NULL;
	for (ssize_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
	for (int pass = 0; pass < 2 && !debug; pass++) {
		/* The target's own root first (a container's debug files), then ours. */
		snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
			 pass == 0 ? root : "", hex, hex + 2);
		debug = elf_open_debug_candidate(elf, path, fd);
	}
	return debug;
}

/* Debug file by .gnu_debuglink, in the places gdb looks: beside the file, in .debug/
 * beside it, and under /usr/lib/debug. */
static Elf *elf_open_debug_by_link(Elf *elf, const char *file_path, const char *root, int *fd)
{
	GElf_Word crc;
	const char *link = dwelf_elf_gnu_debuglink(elf, &crc);
	const char *slash = strrchr(file_path, '/');
	static const char *const formats[] = {"%s%.*s/%s", "%s%.*s/.debug/%s",
					      "%s/usr/lib/debug%.*s/%s"};
	/* A bare file name is in the current directory. */
	const char *dir = slash ? file_path : ".";
	int dir_len = slash ? (int)(slash - file_path) : 1;
	char path[PATH_MAX];
	Elf *debug = NULL;

	if (!link || !*link || strchr(link, '/'))
		return NULL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]) && !debug; i++) {
		snprintf(path, sizeof(path), formats[i], root, dir_len, dir, link);
		debug = elf_open_debug_candidate(elf, path, fd);
	}
	return debug;
}

/* Where the function symbols come from: the file's .symtab; else that of its debug file;
 * else the file's .dynsym. */
static bool elf_load_symbols(Elf *elf, const char *path, const char *root,
			     struct elf_syms *es)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = elf_find_section(elf, SHT_SYMTAB, &shdr);
	Elf *debug = NULL;
	int debug_fd = -1;
	bool ok;

	if (!scn) {
		debug = elf_open_debug_by_build_id(elf, root, &debug_fd);
		if (!debug)
			debug = elf_open_debug_by_link(elf, path, root, &debug_fd);
	}
	if (debug)
		ok = elf_read_symbols(debug, elf_find_section(debug, SHT_SYMTAB, &shdr), &shdr,
				      es);
	else if (scn || (scn = elf_find_section(elf, SHT_DYNSYM, &shdr)))
		ok = elf_read_symbols(elf, scn, &shdr, es);
	else
		ok = true; /* no symbols at all: still a file whose name we know */
	elf_end(debug);
	if (debug_fd >= 0)
		close(debug_fd);
	return ok;
}

/* Reads the ELF file open on fd. path names it for display and for finding its debug
 * file; root ("" or "/proc/PID/root") is where that search starts. */
static struct elf_syms *elf_syms_from_fd(int fd, const char *path, const char *root)
{
	struct elf_syms *es = NULL;
	Elf *elf;

	elf_version(EV_CURRENT);
	/* ELF_C_READ reads with pread as needed: no SIGBUS if the file shrinks under us. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	es = calloc(1, sizeof(*es));
	if (!es || !(es->path = strdup(path)) || !elf_load_segments(elf, es) ||
	    !elf_load_symbols(elf, path, root, es)) {
		elf_syms_close(es);
		es = NULL;
		goto out;
	}
	if (es->count) /* a file may have no symbol table at all */
		qsort_r(es->syms, es->count, sizeof(*es->syms), elf_sym_cmp, es->names);
	elf_fill_sizes(es);
out:
	elf_end(elf);
	return es;
}

struct elf_syms *elf_syms_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct elf_syms *es;

	if (fd < 0)
		return NULL;
	es = elf_syms_from_fd(fd, path, "");
	close(fd);
	return es;
}

void elf_syms_close(struct elf_syms *es)
{
	if (!es)
		return;
	free(es->syms);
	free(es->segs);
	free(es->names);
	free(es->path);
	free(es);
}

size_t elf_syms_count(const struct elf_syms *es)
{
	return es ? es->count : 0;
}

bool elf_syms_lookup(const struct elf_syms *es, uint64_t file_vaddr, struct sym *out)
{
	long first = es ? floor_first(es->syms, es->count, sizeof(*es->syms), file_vaddr) : -1;

	memset(out, 0, sizeof(*out));
	if (!es)
		return false;
	out->module = es->path;
	if (first < 0)
		return false;
	/* Aliases may disagree on size; any of them covering the address will do. */
	for (size_t i = (size_t)first; i < es->count && es->syms[i].addr == es->syms[first].addr;
	     i++) {
		if (file_vaddr - es->syms[i].addr < es->syms[i].size) {
			out->name = es->names + es->syms[first].name;
			out->offset = file_vaddr - es->syms[first].addr;
			return true;
		}
	}
	return false;
}

uint64_t elf_syms_addr(const struct elf_syms *es, const char *name)
{
	/* Linear: asked once per uprobe, not per event. */
	for (size_t i = 0; es && i < es->count; i++)
		if (strcmp(es->names + es->syms[i].name, name) == 0)
			return es->syms[i].addr;
	return 0;
}

bool elf_syms_vaddr(const struct elf_syms *es, uint64_t file_offset, uint64_t *vaddr)
{
	for (size_t i = 0; es && i < es->nsegs; i++) {
		const struct elf_seg *seg = &es->segs[i];

		if (file_offset >= seg->offset && file_offset - seg->offset < seg->filesz) {
			*vaddr = file_offset - seg->offset + seg->vaddr;
			return true;
		}
	}
	return false;
}

long elf_syms_file_offset(const struct elf_syms *es, const char *name)
{
	uint64_t vaddr = elf_syms_addr(es, name);
	const struct elf_seg *seg = vaddr ? elf_seg_of_vaddr(es, vaddr) : NULL;

	/* Code lies in the file part of its segment; beyond filesz is zero-filled memory. */
	if (!seg || vaddr - seg->vaddr >= seg->filesz)
		return -1;
	return (long)(vaddr - seg->vaddr + seg->offset);
}

/* ---------------------------------------------------------------------------------------
 * perf-PID.map: "START SIZE NAME" per line in hex, written by JITs (V8, the JVM with an
 * agent, LuaJIT, ...) for code they generate in anonymous memory. */

struct perf_sym {
	uint64_t start, size;
	uint32_t name; /* offset in text */
};

struct perf_map {
	struct perf_sym *syms;
	size_t count;
	char *text;
	char *path;
	struct perf_map *next; /* in the list of retired maps, whose names must outlive them */
};

static int perf_sym_cmp(const void *a, const void *b)
{
	const struct perf_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* A JIT that reuses an address writes a new line: the later line comes first. */
	return x->name > y->name ? -1 : x->name < y->name;
}

static bool perf_map_parse_line(char *line, char *eol, uint32_t base, struct perf_sym *s)
{
	const char *p = line;

	if (!parse_hex(&p, eol, &s->start) || !expect_char(&p, eol, ' ') ||
	    !parse_hex(&p, eol, &s->size) || !expect_char(&p, eol, ' ') || p >= eol ||
	    (unsigned char)*p <= ' ' || !s->size)
		return false;
	*eol = 0;
	s->name = base + (uint32_t)(p - line);
	return true;
}

/* Takes ownership of text (len bytes plus a NUL). */
static struct perf_map *perf_map_from_text(char *text, size_t len, const char *path)
{
	struct perf_map *pm = calloc(1, sizeof(*pm));
	size_t lines;
	char *end = text + len;

	if (!pm || len >= UINT32_MAX)
		goto fail;
	pm->text = text;
	lines = count_lines(text, len);
	if (!(pm->syms = malloc(lines * sizeof(*pm->syms))) || !(pm->path = strdup(path)))
		goto fail;
	for (char *line = text, *eol; line < end; line = eol + 1) {
		eol = end_of_line(line, end);
		if (perf_map_parse_line(line, eol, (uint32_t)(line - text), &pm->syms[pm->count]))
			pm->count++;
	}
	sort_rows(pm->syms, pm->count, sizeof(*pm->syms), perf_sym_cmp);
	return pm;
fail:
	if (pm) {
		free(pm->syms);
		free(pm);
	}
	free(text);
	return NULL;
}

static void perf_map_free(struct perf_map *pm)
{
	if (!pm)
		return;
	free(pm->syms);
	free(pm->text);
	free(pm->path);
	free(pm);
}

static bool perf_map_lookup(const struct perf_map *pm, uint64_t addr, struct sym *out)
{
	/* Of several lines for one address the latest, which the sort puts first. */
	long first = pm ? floor_first(pm->syms, pm->count, sizeof(*pm->syms), addr) : -1;

	if (first < 0 || addr - pm->syms[first].start >= pm->syms[first].size)
		return false;
	out->name = pm->text + pm->syms[first].name;
	out->offset = addr - pm->syms[first].start;
	out->module = pm->path;
	return true;
}

/* The PID a process has in its own namespace (last field of NSpid), which names its
 * perf map inside a container. */
static pid_t pid_in_own_namespace(pid_t pid)
{
	char path[64], *text, *line;
	size_t len;
	pid_t nspid = pid;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(text = read_whole_file(path, 4096, &len)))
		return pid;
	if ((line = strstr(text, "\nNSpid:"))) {
		const char *p = line + 7, *end = text + len;
		uint64_t v;

		for (skip_blanks(&p, end); parse_dec(&p, end, &v); skip_blanks(&p, end))
			nspid = (pid_t)v;
	}
	free(text);
	return nspid;
}

static struct perf_map *perf_map_load(pid_t pid)
{
	pid_t nspid = pid_in_own_namespace(pid);
	char path[96], shown[64];
	size_t len;
	char *text;

	/* Inside the process's root first: a JIT in a container writes its own /tmp. */
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", (int)pid, (int)nspid);
	snprintf(shown, sizeof(shown), "/tmp/perf-%d.map", (int)nspid);
	if (!(text = read_whole_file(path, 64 << 10, &len)) && nspid != pid) {
		snprintf(shown, sizeof(shown), "/tmp/perf-%d.map", (int)pid);
		text = read_whole_file(shown, 64 << 10, &len);
	}
	return text ? perf_map_from_text(text, len, shown) : NULL;
}

/* ---------------------------------------------------------------------------------------
 * User addresses of processes. Files' symbols are cached per (device, inode) for all
 * processes; each process's mappings are cached per PID and point at those entries. */

#define FILE_BUCKETS 256
#define PID_BUCKETS 256
/* A process's maps and perf map are read again when an address is missing from them
 * (a dlopen, new JIT code), but at most this often, so bad addresses can't storm /proc. */
#define REFRESH_MS 1000

struct file_entry {
	uint64_t dev, ino;
	struct elf_syms *syms; /* NULL when the file could not be read as ELF */
	char *path;            /* as the first process that mapped it names it */
	bool tried;            /* file_entry_read ran */
	pid_t unopened_by;     /* nonzero: opening through this PID failed, try others */
	struct file_entry *next;
};

struct pid_entry {
	pid_t pid;
	struct proc_maps *maps;    /* NULL when /proc/PID/maps could not be read */
	struct file_entry **files; /* per mapping, filled on first use */
	uint64_t maps_ms, perf_ms; /* when they were read */
	struct perf_map *perf;
	struct pid_entry *next;
};

struct usyms {
	struct file_entry *files[FILE_BUCKETS];
	struct pid_entry *pids[PID_BUCKETS];
	struct perf_map *retired;
};

struct usyms *usyms_new(void)
{
	return calloc(1, sizeof(struct usyms));
}

static unsigned file_bucket(uint64_t dev, uint64_t ino)
{
	return (unsigned)(((ino ^ (dev << 40)) * 0x9e3779b97f4a7c15ULL) >> 56) % FILE_BUCKETS;
}

/* Opens the file of a mapping as the process sees it. map_files reaches the very inode
 * mapped, even deleted or in another mount namespace; the root path is the fallback when
 * map_files is not allowed, and is only right while the file has not been replaced. */
static int open_mapped_file(pid_t pid, const struct proc_map *m)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || m->deleted)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->path);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void file_entry_read(struct file_entry *fe, pid_t pid, const struct proc_map *m)
{
	char root[64];
	int fd = open_mapped_file(pid, m);

	fe->tried = true;
	fe->unopened_by = fd < 0 ? pid : 0;
	if (fd < 0)
		return;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	fe->syms = elf_syms_from_fd(fd, m->path, root);
	close(fd);
}

static struct file_entry *file_entry_get(struct usyms *us, pid_t pid, const struct proc_map *m)
{
	uint64_t dev = makedev(m->dev_major, m->dev_minor);
	unsigned b = file_bucket(dev, m->inode);
	struct file_entry *fe;

	for (fe = us->files[b]; fe; fe = fe->next)
		if (fe->dev == dev && fe->ino == m->inode)
			break;
	if (!fe) {
		fe = calloc(1, sizeof(*fe));
		if (!fe || !(fe->path = strdup(m->path))) {
			free(fe);
			return NULL;
		}
		fe->dev = dev;
		fe->ino = m->inode;
		fe->next = us->files[b];
		us->files[b] = fe;
	}
	/* A process that exited before we opened its file must not hide the file from the
	 * next process mapping it. */
	if (!fe->tried || (fe->unopened_by && fe->unopened_by != pid))
		file_entry_read(fe, pid, m);
	return fe;
}

static unsigned pid_bucket(pid_t pid)
{
	return (unsigned)pid % PID_BUCKETS;
}

/* (Re)reads a process's mappings; the per-mapping file pointers start over. */
/* Reads the process's maps afresh. When they cannot be read, or are empty (the process has
 * exited, or is a zombie), the maps read before stay: samples taken before the exit still
 * resolve. */
static void pid_entry_read_maps(struct pid_entry *pe)
{
	char path[64], *text;
	struct proc_maps *maps;
	struct file_entry **files;
	size_t len;

	pe->maps_ms = now_ms();
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pe->pid);
	if (!(text = read_whole_file(path, 64 << 10, &len)))
		return;
	maps = proc_maps_parse(text, len);
	free(text);
	if (!maps || (!maps->count && pe->maps)) {
		proc_maps_free(maps);
		return;
	}
	if (!(files = calloc(maps->count + 1, sizeof(*files)))) {
		proc_maps_free(maps);
		return;
	}
	proc_maps_free(pe->maps);
	free(pe->files);
	pe->maps = maps;
	pe->files = files;
}

static struct pid_entry *pid_entry_get(struct usyms *us, pid_t pid)
{
	unsigned b = pid_bucket(pid);
	struct pid_entry *pe;

	for (pe = us->pids[b]; pe; pe = pe->next)
		if (pe->pid == pid)
			return pe;
	if (!(pe = calloc(1, sizeof(*pe))))
		return NULL;
	pe->pid = pid;
	pe->next = us->pids[b];
	us->pids[b] = pe;
	pid_entry_read_maps(pe);
	return pe;
}

static long pid_entry_find(struct pid_entry *pe, uint64_t addr)
{
	long i = proc_maps_find(pe->maps, addr);

	if (i < 0 && now_ms() - pe->maps_ms >= REFRESH_MS) {
		pid_entry_read_maps(pe);
		i = proc_maps_find(pe->maps, addr);
	}
	return i;
}

/* Perf maps are retired rather than freed: names handed out stay valid until usyms_free. */
static void retire_perf_map(struct usyms *us, struct pid_entry *pe)
{
	if (!pe->perf)
		return;
	pe->perf->next = us->retired;
	us->retired = pe->perf;
	pe->perf = NULL;
}

static bool pid_entry_perf_lookup(struct usyms *us, struct pid_entry *pe, uint64_t addr,
				  struct sym *out)
{
	if (perf_map_lookup(pe->perf, addr, out))
		return true;
	if (pe->perf_ms && now_ms() - pe->perf_ms < REFRESH_MS)
		return false;
	retire_perf_map(us, pe);
	pe->perf = perf_map_load(pe->pid);
	pe->perf_ms = now_ms();
	return perf_map_lookup(pe->perf, addr, out);
}

/* Names of the kernel's special mappings, as strings that outlive any maps text. */
static const char *special_mapping(const char *path)
{
	static const char *const names[] = {"[vdso]", "[vsyscall]", "[vvar]", "[heap]",
					    "[stack]", "[uprobes]"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(path, names[i]) == 0)
			return names[i];
	return NULL;
}

static bool resolve_in_file(const struct file_entry *fe, const struct proc_map *m,
			    uint64_t addr, struct sym *out)
{
	uint64_t vaddr;

	/* The mapping says which file offset addr is; the file's PT_LOAD segments say which
	 * address its symbols give that offset. This holds for executables, PIE and shared
	 * libraries alike, whatever the load bias. */
	if (!elf_syms_vaddr(fe->syms, addr - m->start + m->file_offset, &vaddr))
		return false;
	return elf_syms_lookup(fe->syms, vaddr, out);
}

bool usyms_lookup(struct usyms *us, pid_t pid, uint64_t addr, struct sym *out)
{
	struct pid_entry *pe = us ? pid_entry_get(us, pid) : NULL;
	const struct proc_map *m;
	struct file_entry *fe;
	long i;

	memset(out, 0, sizeof(*out));
	if (!pe || (i = pid_entry_find(pe, addr)) < 0)
		return false;
	m = &pe->maps->maps[i];
	if (m->path[0] == '[' && strncmp(m->path, "[anon", 5) != 0) {
		out->module = special_mapping(m->path); /* [vdso] is not read from memory */
		return false;
	}
	if (m->path[0] != '/') /* anonymous: JIT code, if a perf map names it */
		return pid_entry_perf_lookup(us, pe, addr, out);
	fe = pe->files[i] ? pe->files[i] : (pe->files[i] = file_entry_get(us, pid, m));
	if (fe && fe->syms && resolve_in_file(fe, m, addr, out)) {
		out->module = fe->path;
		return true;
	}
	/* Not ELF, say a memfd a JIT maps twice: a perf map may still name it. */
	if (!(fe && fe->syms) && pid_entry_perf_lookup(us, pe, addr, out))
		return true;
	memset(out, 0, sizeof(*out));
	out->module = fe ? fe->path : NULL;
	return false;
}

static void pid_entry_free(struct usyms *us, struct pid_entry *pe)
{
	retire_perf_map(us, pe);
	proc_maps_free(pe->maps);
	free(pe->files);
	free(pe);
}

void usyms_forget_pid(struct usyms *us, pid_t pid)
{
	struct pid_entry **link = us ? &us->pids[pid_bucket(pid)] : NULL;

	for (; link && *link; link = &(*link)->next) {
		if ((*link)->pid == pid) {
			struct pid_entry *pe = *link;

			*link = pe->next;
			pid_entry_free(us, pe);
			return;
		}
	}
}

void usyms_free(struct usyms *us)
{
	if (!us)
		return;
	for (unsigned b = 0; b < PID_BUCKETS; b++)
		while (us->pids[b]) {
			struct pid_entry *pe = us->pids[b];

			us->pids[b] = pe->next;
			pid_entry_free(us, pe);
		}
	for (unsigned b = 0; b < FILE_BUCKETS; b++)
		while (us->files[b]) {
			struct file_entry *fe = us->files[b];

			us->files[b] = fe->next;
			elf_syms_close(fe->syms);
			free(fe->path);
			free(fe);
		}
	while (us->retired) {
		struct perf_map *pm = us->retired;

		us->retired = pm->next;
		perf_map_free(pm);
	}
	free(us);
}
