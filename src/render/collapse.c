/* whyslow collapse: perf script / bpftrace stacks to folded stacks; see collapse.h.
 *
 * perf script (default fields): a header line "comm PID/TID [CPU] TIME: PERIOD EVENT:",
 * then one indented line per frame "ADDR SYMBOL+0xOFF (DSO)", leaf first, then a blank
 * line. bpftrace: "@[" (optionally with keys), one indented frame per line leaf first,
 * then "]: COUNT" (optionally ", key]: COUNT"). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "render/collapse.h"
#include "render/numparse.h"
#include "render/render_cli.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
	while (*len && blank((*s)[0]))
		(*s)++, (*len)--;
	while (*len && blank((*s)[*len - 1]))
		(*len)--;
}

void collapse_init(struct collapse *c, const struct collapse_opts *o, struct frame_tree *t)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
	c->tree = t;
	c->format = o->format;
	c->label = "-";
}

void collapse_free(struct collapse *c)
{
	free(c->root);
	free(c->frames);
	free(c->frame_lens);
	free(c->ptr);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

static void warn(struct collapse *c, uint64_t lineno, const char *msg)
{
	render_warn(c->label, lineno, 10, &c->skipped, c->o.quiet, "%s", msg);
}

static int set_root(struct collapse *c, const char *s, size_t len)
{
	char *r = realloc(c->root, len + 1);

	if (!r)
		return -1;
	memcpy(r, s, len);
	r[len] = 0;
	c->root = r;
	c->root_len = len;
	return 0;
}

/* Appends a frame name; ';' would split it, so it becomes ':'. */
static int push_frame(struct collapse *c, const char *s, size_t len)
{
	if (c->frames_len + len + 1 > c->frames_cap) {
		size_t cap = c->frames_cap ? c->frames_cap * 2 : 4096;
		while (cap < c->frames_len + len + 1)
			cap *= 2;
		char *f = realloc(c->frames, cap);
		if (!f)
			return -1;
		c->frames = f;
		c->frames_cap = cap;
	}
	if (c->nframes == c->lens_cap) {
		size_t cap = c->lens_cap ? c->lens_cap * 2 : 256;
		uint32_t *l = realloc(c->frame_lens, cap * sizeof(*l));
		if (!l)
			return -1;
		c->frame_lens = l;
		c->lens_cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		c->frames[c->frames_len + i] = s[i] == ';' ? ':' : s[i];
	c->frames_len += len;
	c->frame_lens[c->nframes++] = (uint32_t)len;
	return 0;
}

static void reset_record(struct collapse *c)
{
	c->in_record = false;
	c->frames_len = 0;
	c->nframes = 0;
	c->root_len = 0;
}

/* Adds the record: root frames (comm or keys), then the frames root first. */
static int emit(struct collapse *c, double count)
{
	size_t n = c->nframes + 1, k = 0;

	if (n > c->ptr_cap) {
		size_t cap = c->ptr_cap ? c->ptr_cap * 2 : 256;
		while (cap < n)
			cap *= 2;
		const char **p = realloc(c->ptr, cap * sizeof(*p));
		if (p)
			c->ptr = p;
		uint32_t *l = realloc(c->len, cap * sizeof(*l));
		if (l)
			c->len = l;
		if (!p || !l)
			return -1;
		c->ptr_cap = cap;
	}
	if (c->root_len) {
		c->ptr[k] = c->root;
		c->len[k++] = c->root_len;
	}
	/* frames were stored leaf first: place them from the end */
	k += c->nframes;
	size_t off = 0;
	for (size_t f = 0; f < c->nframes; f++) {
		c->ptr[k - 1 - f] = c->frames + off;
		c->len[k - 1 - f] = c->frame_lens[f];
		off += c->frame_lens[f];
	}
	reset_record(c);
	if (k == 0)
		return 0;
	c->records++;
	return frame_tree_add(c->tree, c->ptr, c->len, k, count, COUNT_MAIN);
}

/* --- perf script --- */

/* "comm PID/TID ..." or "comm PID ...": comm may hold blanks, so it ends at the first
 * blank run followed by a number that is followed by '/' or a blank. */
static bool perf_header(const char *s, size_t len, size_t *comm_len, const char **pid,
			size_t *pid_len)
{
	for (size_t i = 1; i < len; i++) {
		if (!blank(s[i]) || blank(s[i - 1]))
			continue;
		size_t j = i;
		while (j < len && blank(s[j]))
			j++;
		size_t k = j;
		while (k < len && isdigit((unsigned char)s[k]))
			k++;
		if (k == j)
			continue;
		size_t end = k;
		if (end < len && s[end] == '/') {
			end++;
			while (end < len && isdigit((unsigned char)s[end]))
				end++;
		}
		if (end == len || blank(s[end])) {
			*comm_len = i;
			*pid = s + j;
			*pid_len = end - j;
			return true;
		}
	}
	return false;
}

static int perf_frame(struct collapse *c, const char *s, size_t len)
{
	const char *sym = s, *dso = NULL;
	size_t sym_len = len, dso_len = 0;
	char buf[512];

	/* the address: a hex token first */
	size_t i = 0;
	while (i < len && isxdigit((unsigned char)s[i]))
		i++;
	if (i > 0 && i < len && blank(s[i])) {
		sym = s + i;
		sym_len = len - i;
		trim(&sym, &sym_len);
	}
	/* the DSO: the last " (...)" at the end */
	if (sym_len > 2 && sym[sym_len - 1] == ')') {
		for (size_t k = sym_len - 1; k-- > 0;)
			if (sym[k] == '(' && (k == 0 || blank(sym[k - 1]))) {
				dso = sym + k + 1;
				dso_len = sym_len - k - 2;
				sym_len = k;
				trim(&sym, &sym_len);
				break;
			}
	}
	/* "func+0x1a" -> "func" */
	for (size_t k = sym_len; k-- > 1;)
		if (sym[k] == '+' && k + 2 < sym_len && sym[k + 1] == '0' && sym[k + 2] == 'x') {
			sym_len = k;
			break;
		}
	if (sym_len == 0 || (sym_len == 9 && memcmp(sym, "[unknown]", 9) == 0)) {
		if (dso && dso_len && !(dso_len == 9 && memcmp(dso, "[unknown]", 9) == 0)) {
			const char *base = memrchr(dso, '/', dso_len);
			base = base ? base + 1 : dso;
			int n = snprintf(buf, sizeof(buf), "[%.*s]", (int)(dso + dso_len - base), base);
			return push_frame(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
		}
		return push_frame(c, "[unknown]", 9);
	}
	if (c->o.annotate && dso) {
		const char *tag = NULL;
		if (dso_len >= 9 && memmem(dso, dso_len, "kernel.", 7) && dso[0] == '[')
			tag = "_[k]";
		else if (memmem(dso, dso_len, "/tmp/perf-", 10) && memmem(dso, dso_len, ".map", 4))
			tag = "_[j]";
		if (tag && sym_len + 5 < sizeof(buf)) {
			memcpy(buf, sym, sym_len);
			memcpy(buf + sym_len, tag, 4);
			return push_frame(c, buf, sym_len + 4);
		}
	}
	return push_frame(c, sym, sym_len);
}

static int perf_line(struct collapse *c, const char *s, size_t len, uint64_t lineno)
{
	size_t comm_len, pid_len;
	const char *pid;
	char buf[512];

	while (len && blank(s[len - 1]))
		len--;
	if (len == 0) /* a blank line ends the sample */
		return c->in_record ? emit(c, 1) : 0;
	if (s[0] == '#')
		return 0;
	if (!blank(s[0])) {
		if (c->in_record && emit(c, 1) < 0) /* no blank line before this header */
			return -1;
		if (!perf_header(s, len, &comm_len, &pid, &pid_len)) {
			warn(c, lineno, "not a perf script sample header (\"comm PID/TID ... TIME:\"): skipped");
			return 0;
		}
		const char *comm = s;
		trim(&comm, &comm_len);
		int n;
		if (c->o.tid || c->o.pid) {
			size_t plen = pid_len;
			const char *slash = memchr(pid, '/', pid_len);
			if (c->o.pid && slash)
				plen = slash - pid;
			n = snprintf(buf, sizeof(buf), "%.*s-%.*s", (int)comm_len, comm, (int)plen, pid);
		} else {
			n = snprintf(buf, sizeof(buf), "%.*s", (int)comm_len, comm);
		}
		if (n < 0 || (size_t)n >= sizeof(buf))
			n = sizeof(buf) - 1;
		for (int i = 0; i < n; i++)
			if (buf[i] == ';')
				buf[i] = ':';
		if (set_root(c, buf, n) < 0)
			return -1;
		c->in_record = true;
		c->record_line = lineno;
		return 0;
	}
	if (!c->in_record)
		return 0; /* frames with no header: perf's warnings, or a cut input */
	trim(&s, &len);
	return perf_frame(c, s, len);
}

/* --- bpftrace --- */

/* Adds "a, b" keys as root frames text (joined by ';' later through set_root). */
static int bpftrace_keys(struct collapse *c, const char *s, size_t len)
{
	char buf[512];
	size_t n = 0;

	trim(&s, &len);
	while (len && s[len - 1] == ',')
		len--;
	while (len && s[0] == ',')
		s++, len--;
	trim(&s, &len);
	if (!len)
		return 0;
	if (c->root_len && c->root_len + 1 < sizeof(buf)) {
		memcpy(buf, c->root, c->root_len);
		n = c->root_len;
		buf[n++] = ',';
	}
	for (size_t i = 0; i < len && n + 1 < sizeof(buf); i++)
		buf[n++] = s[i] == ';' ? ':' : s[i];
	return set_root(c, buf, n);
}

static int bpftrace_frame(struct collapse *c, const char *s, size_t len)
{
	/* "0xADDR func+12 (module)" or "func+12": drop the address, offset and module */
	size_t i = 0;
	if (len > 2 && s[0] == '0' && s[1] == 'x') {
		for (i = 2; i < len && isxdigit((unsigned char)s[i]); i++)
			;
		if (i < len && blank(s[i])) {
			s += i;
			len -= i;
			trim(&s, &len);
		}
	}
	if (len > 2 && s[len - 1] == ')') {
		const char *open = memrchr(s, '(', len);
		if (open && open > s && blank(open[-1])) {
			len = open - s;
			trim(&s, &len);
		}
	}
	const char *plus = memrchr(s, '+', len);
	if (plus && plus > s) {
		size_t k = plus - s + 1;
		bool digits = k < len;
		for (size_t j = k; j < len; j++)
			if (!isxdigit((unsigned char)s[j]) && s[j] != 'x')
				digits = false;
		if (digits)
			len = plus - s;
	}
	return push_frame(c, s, len);
}

/* "]: COUNT" at the end of s: returns the ']' position and sets *count, else NULL. */
static const char *bpftrace_close(const char *s, size_t len, double *count, bool *bad)
{
	const char *close = memrchr(s, ']', len), *p, *stop;

	*bad = false;
	if (!close || close + 1 >= s + len || close[1] != ':')
		return NULL;
	p = close + 2;
	while (p < s + len && blank(*p))
		p++;
	if (!numparse_double(p, s + len, count, &stop) || stop != s + len || !(*count >= 0) ||
	    *count > NUMPARSE_COUNT_MAX)
		*bad = true;
	return close;
}

static int bpftrace_line(struct collapse *c, const char *s, size_t len, uint64_t lineno)
{
	bool opening = false, bad;
	const char *close;
	double count;

	while (len && blank(s[len - 1]))
		len--;
	if (len == 0)
		return 0;
	if (s[0] == '@') {
		const char *open = memchr(s, '[', len);
		if (c->in_record)
			warn(c, c->record_line, "stack without its closing \"]: COUNT\" line: skipped");
		reset_record(c);
		if (!open)
			return 0; /* a map without keys ("@count: 5") */
		c->in_record = true;
		c->record_line = lineno;
		len -= open + 1 - s;
		s = open + 1;
		opening = true;
	} else if (!c->in_record) {
		return 0; /* "Attaching 1 probe..." and other chatter */
	}
	if ((close = bpftrace_close(s, len, &count, &bad))) {
		if (bad) {
			warn(c, lineno, "bad count after \"]:\": stack skipped");
			reset_record(c);
			return 0;
		}
		if (bpftrace_keys(c, s, close - s) < 0)
			return -1;
		return emit(c, count);
	}
	if (opening)
		return bpftrace_keys(c, s, len);
	trim(&s, &len);
	return bpftrace_frame(c, s, len);
}

int collapse_line(struct collapse *c, const char *s, size_t len, uint64_t lineno)
{
	if (c->format == COLLAPSE_AUTO) {
		const char *p = s;
		size_t n = len;
		trim(&p, &n);
		if (n == 0 || p[0] == '#')
			return 0;
		c->format = p[0] == '@' || (n >= 9 && memcmp(p, "Attaching", 9) == 0)
				    ? COLLAPSE_BPFTRACE : COLLAPSE_PERF;
	}
	return c->format == COLLAPSE_BPFTRACE ? bpftrace_line(c, s, len, lineno)
					      : perf_line(c, s, len, lineno);
}

int collapse_finish(struct collapse *c)
{
	if (!c->in_record)
		return 0;
	if (c->format == COLLAPSE_PERF)
		return emit(c, 1); /* the last sample may lack its blank line */
	warn(c, c->record_line, "stack without its closing \"]: COUNT\" line: skipped");
	reset_record(c);
	return 0;
}

int collapse_parse(struct collapse *c, const char *buf, size_t len)
{
	uint64_t lineno = 0;

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', end - p), *stop = nl ? nl : end;
		if (collapse_line(c, p, stop - p, ++lineno) < 0)
			return -1;
		p = stop + 1;
	}
	return collapse_finish(c);
}

/* --- the command --- */

enum { OPT_FORMAT = CLI_LONG_ONLY + 1, OPT_PID, OPT_TID, OPT_ANNOTATE };

static const struct cli_opt collapse_opts_spec[] = {
	{'o', "output", "FILE", "write folded stacks to FILE (default: standard output)"},
	{OPT_FORMAT, "format", "FMT", "input format: auto (default), perf (perf script) or bpftrace"},
	{OPT_PID, "pid", NULL, "perf: root frame \"comm-PID\""},
	{OPT_TID, "tid", NULL, "perf: root frame \"comm-PID/TID\""},
	{OPT_ANNOTATE, "annotate", NULL, "perf: suffix kernel frames \"_[k]\" and JIT frames \"_[j]\""},
	{0},
};

const struct cli_spec collapse_spec = {
	.name = "collapse",
	.summary = "perf script or bpftrace stacks to folded stacks",
	.usage = "[options] [FILE...]",
	.description =
		"Reads `perf script` output (default fields: a \"comm PID/TID ... TIME:\" header, "
		"one indented \"ADDR SYMBOL+OFF (DSO)\" line per frame, a blank line) or bpftrace "
		"stack counts (\"@[\", frames, \"]: COUNT\") and writes folded stacks "
		"\"comm;root;...;leaf count\", merged and sorted, for `whyslow flamegraph` or "
		"flamegraph.pl. Offsets are dropped; unknown symbols become \"[dso]\".",
	.opts = collapse_opts_spec,
	.examples = "perf record -F 99 -a -g -- sleep 10 && perf script | whyslow collapse > out.folded\n"
		    "bpftrace -e 'profile:hz:99 { @[kstack] = count(); }' > bt.txt; whyslow collapse bt.txt\n"
		    "perf script | whyslow collapse --pid --annotate | whyslow flamegraph --colors java > pid.svg\n",
};

struct collapse_cmd {
	struct collapse_opts o;
	const char *output;
};

static int collapse_opt(void *ctx, int key, const char *arg)
{
	struct collapse_cmd *c = ctx;

	switch (key) {
	case 'o': c->output = arg; break;
	case OPT_FORMAT:
		if (strcmp(arg, "auto") == 0)
			c->o.format = COLLAPSE_AUTO;
		else if (strcmp(arg, "perf") == 0)
			c->o.format = COLLAPSE_PERF;
		else if (strcmp(arg, "bpftrace") == 0)
			c->o.format = COLLAPSE_BPFTRACE;
		else
			cli_usage_error("--format must be auto, perf or bpftrace, not '%s'", arg);
		break;
	case OPT_PID: c->o.pid = true; break;
	case OPT_TID: c->o.tid = true; break;
	case OPT_ANNOTATE: c->o.annotate = true; break;
	default: return -1;
	}
	return 0;
}

static int collapse_cb(void *ctx, const char *line, size_t len, uint64_t lineno)
{
	return collapse_line(ctx, line, len, lineno);
}

int cmd_collapse(int argc, char **argv)
{
	struct collapse_cmd cmd = {0};
	struct cli_common common;
	struct render_args a;
	struct frame_tree t;
	struct collapse c;
	int rc = EXIT_OK;

	render_args_split(&collapse_spec, argc, argv, &a);
	cli_parse(&collapse_spec, a.argc, a.argv, &common, collapse_opt, &cmd);
	frame_tree_init(&t);
	if (t.oom) {
		render_args_free(&a);
		return cli_fail("out of memory");
	}
	for (int i = 0; rc == EXIT_OK && i < (a.nfiles ? a.nfiles : 1); i++) {
		const char *path = a.nfiles ? a.files[i] : NULL;
		FILE *in = render_open_input(path);
		if (!in) {
			rc = EXIT_RUNTIME;
			break;
		}
		collapse_init(&c, &cmd.o, &t);
		c.label = path ? path : "-";
		if (render_read_lines(in, collapse_cb, &c) < 0 || collapse_finish(&c) < 0)
			rc = cli_fail("%s: %s", c.label, t.oom ? "out of memory" : strerror(errno ? errno : EIO));
		render_warn_summary(c.label, 10, c.skipped, false);
		if (rc == EXIT_OK && c.records == 0)
			cli_warn("%s: no stacks found (is it `perf script` output of a recording with -g, "
				 "or bpftrace stack counts?)", c.label);
		collapse_free(&c);
		render_close_input(in);
	}
	if (rc == EXIT_OK) {
		FILE *out = render_open_output(cmd.output);
		if (!out)
			rc = EXIT_RUNTIME;
		else if (frame_tree_write_folded(&t, out) < 0) {
			rc = cli_fail("out of memory writing the stacks");
			render_close_output(out, cmd.output);
		} else
			rc = render_close_output(out, cmd.output);
	}
	frame_tree_free(&t);
	render_args_free(&a);
	return rc;
}
