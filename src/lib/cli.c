/* Common command-line handling; see cli.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "lib/cli.h"

const char *cli_command = "whyslow";
volatile sig_atomic_t cli_stop;

enum { OPT_JSON = CLI_LONG_ONLY + 1000, OPT_HELP, OPT_VERBOSE };

static const struct cli_opt common_opts[] = {
	{OPT_JSON, "json", NULL, "print JSON: one object per interval, one per line"},
	{'v', "verbose", NULL, "show libbpf's log and other detail"},
	{'h', "help", NULL, "show this help"},
	{0},
};

static void verror(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "whyslow %s: %s", cli_command, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'whyslow %s --help'.\n", cli_command);
	exit(EXIT_USAGE);
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("", fmt, ap);
	va_end(ap);
	return EXIT_RUNTIME;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("warning: ", fmt, ap);
	va_end(ap);
}

static void print_opts(const struct cli_opt *opts, FILE *f)
{
	for (const struct cli_opt *o = opts; o && o->key; o++) {
		char left[64];
		int n = 0;

		if (o->key < CLI_LONG_ONLY)
			n += snprintf(left + n, sizeof(left) - n, "-%c", o->key);
		if (o->name)
			n += snprintf(left + n, sizeof(left) - n, "%s--%s", n ? ", " : "    ", o->name);
		if (o->arg)
			snprintf(left + n, sizeof(left) - n, " %s", o->arg);
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

void cli_print_help(const struct cli_spec *spec, FILE *f)
{
	fprintf(f, "usage: whyslow %s %s\n\n%s\n", spec->name, spec->usage ? spec->usage : "",
		spec->summary);
	if (spec->description)
		fprintf(f, "\n%s\n", spec->description);
	fprintf(f, "\noptions:\n");
	print_opts(spec->opts, f);
	print_opts(common_opts, f);
	if (spec->interval)
		fprintf(f, "  %-24s %s\n", "interval [count]",
			"print every interval seconds, count times (default: once, at Ctrl-C)");
	if (spec->examples)
		fprintf(f, "\nexamples:\n%s", spec->examples);
}

static size_t count_opts(const struct cli_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].key)
		n++;
	return n;
}

static void add_getopt(const struct cli_opt *o, struct option *longs, size_t *nlong, char *shorts,
		       size_t *nshort)
{
	if (o->key < CLI_LONG_ONLY) {
		shorts[(*nshort)++] = (char)o->key;
		if (o->arg)
			shorts[(*nshort)++] = ':';
	}
	if (o->name)
		longs[(*nlong)++] = (struct option){o->name, o->arg ? required_argument : no_argument,
						    NULL, o->key};
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, int key)
{
	for (const struct cli_opt *o = opts; o && o->key; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static void parse_positionals(const struct cli_spec *spec, int argc, char **argv,
			      struct cli_common *common)
{
	int left = argc - optind;

	if (left > 0 && !spec->interval)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (left > 2)
		cli_usage_error("unexpected argument '%s' after [interval [count]]", argv[optind + 2]);
	if (left >= 1)
		common->interval_s = cli_parse_ulong(argv[optind], "interval (seconds)", 1, 86400);
	if (left == 2)
		common->count = cli_parse_ulong(argv[optind + 1], "count", 1, LONG_MAX);
}

void cli_parse(const struct cli_spec *spec, int argc, char **argv, struct cli_common *common,
	       cli_opt_fn fn, void *ctx)
{
	/* file-scope owners: a usage error exits from inside the loop below, and memory
	 * reachable only from this frame would then count as a leak (LeakSanitizer turns
	 * exit status 2 into 1) */
	static struct option *longs;
	static char *shorts;
	size_t n = count_opts(spec->opts) + count_opts(common_opts);
	size_t nlong = 0, nshort = 0;
	int key;

	free(longs);
	free(shorts);
	longs = calloc(n + 1, sizeof(*longs));
	shorts = calloc(2 * n + 3, 1);
	if (!longs || !shorts)
		exit(EXIT_RUNTIME);
	memset(common, 0, sizeof(*common));
	common->count = -1;
	cli_command = spec->name;
	shorts[nshort++] = ':'; /* report a missing argument as ':' */
	for (const struct cli_opt *o = spec->opts; o && o->key; o++)
		add_getopt(o, longs, &nlong, shorts, &nshort);
	for (const struct cli_opt *o = common_opts; o->key; o++)
		add_getopt(o, longs, &nlong, shorts, &nshort);
	optind = 1;
	opterr = 0;
	while ((key = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (key) {
		case 'h':
			cli_print_help(spec, stdout);
			exit(EXIT_OK);
		case OPT_JSON:
			common->json = true;
			break;
		case 'v':
			common->verbose = true;
			break;
		case ':':
			cli_usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			if (optopt && optopt < CLI_LONG_ONLY && isprint(optopt))
				cli_usage_error("unknown option '-%c'", optopt);
			cli_usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			if (!find_opt(spec->opts, key))
				cli_usage_error("unknown option");
			if (fn && fn(ctx, key, optarg) != 0)
				cli_usage_error("invalid option");
		}
	}
	parse_positionals(spec, argc, argv, common);
	free(longs);
	free(shorts);
	longs = NULL;
	shorts = NULL;
}

unsigned long cli_parse_ulong(const char *s, const char *what, unsigned long min,
			      unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		goto bad;
	if (v < min || v > max)
		cli_usage_error("%s '%s' is out of range: expected %lu to %lu", what, s, min, max);
	return v;
bad:
	cli_usage_error("invalid %s '%s': expected a whole number from %lu to %lu", what, s ? s : "",
			min, max);
}

double cli_parse_double(const char *s, const char *what, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	if (!s || !*s || isspace((unsigned char)*s))
		cli_usage_error("invalid %s '%s': expected a number", what, s ? s : "");
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		cli_usage_error("invalid %s '%s': expected a number", what, s);
	if (v < min || v > max)
		cli_usage_error("%s '%s' is out of range: expected %g to %g", what, s, min, max);
	return v;
}

pid_t cli_parse_pid(const char *s)
{
	pid_t pid = (pid_t)cli_parse_ulong(s, "PID", 1, INT_MAX);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (access(path, F_OK) != 0)
		cli_usage_error("no process with PID %d: is it still running? (ps -p %d)", pid, pid);
	return pid;
}

/* /proc/TID exists for every thread, though only process ids are listed there. */
pid_t cli_parse_tid(const char *s)
{
	pid_t tid = (pid_t)cli_parse_ulong(s, "TID", 1, INT_MAX);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", tid);
	if (access(path, F_OK) != 0)
		cli_usage_error("no thread with TID %d: is it still running? (ps -eLo pid,tid,comm)", tid);
	return tid;
}

int cli_parse_cpu(const char *s)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long cpu = cli_parse_ulong(s, "CPU number", 0, INT_MAX);

	if ((long)cpu >= ncpu)
		cli_usage_error("CPU %lu does not exist: this machine has CPUs 0 to %ld", cpu, ncpu - 1);
	return (int)cpu;
}

/* Reads "MAJ:MIN" from /sys/class/block/NAME/dev. */
static int read_block_dev(const char *name, unsigned *maj, unsigned *min)
{
	char path[256];
	FILE *f;
	int ok;

	if (strchr(name, '/') || strlen(name) > 64)
		return -1;
	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
	if (!(f = fopen(path, "r")))
		return -1;
	ok = fscanf(f, "%u:%u", maj, min) == 2;
	fclose(f);
	return ok ? 0 : -1;
}

dev_t cli_parse_disk(const char *s, char *name, size_t name_size)
{
	const char *base = strncmp(s, "/dev/", 5) == 0 ? s + 5 : s;
	unsigned maj, min;

	if (sscanf(s, "%u:%u", &maj, &min) == 2 && strchr(s, ':')) {
		if (name)
			snprintf(name, name_size, "%u:%u", maj, min);
		return makedev(maj, min);
	}
	if (read_block_dev(base, &maj, &min) != 0)
		cli_usage_error("unknown disk '%s': see /proc/partitions or lsblk for names", s);
	if (name)
		snprintf(name, name_size, "%s", base);
	return makedev(maj, min);
}

int cli_require_root(void)
{
	if (geteuid() != 0)
		return cli_fail("must run as root (BPF tracing needs CAP_BPF and CAP_PERFMON): try sudo");
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	cli_stop = 1;
}

void cli_install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: sleeps end at once */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t cli_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void cli_strftime_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

/* Waits until deadline (monotonic ns) or a signal, polling for events if the command
 * has a poll function. Returns < 0 on a poll error. */
static int wait_until(uint64_t deadline, const struct cli_loop_ops *ops, void *ctx)
{
	while (!cli_stop) {
		uint64_t now = cli_now_ns();
		if (deadline && now >= deadline)
			return 0;
		uint64_t left_ms = deadline ? (deadline - now + 999999) / 1000000 : 1000;
		int timeout = left_ms > 100 ? 100 : (int)left_ms;

		if (ops->poll) {
			int err = ops->poll(ctx, timeout);
			if (err < 0 && err != -EINTR)
				return err;
		} else {
			struct timespec ts = {timeout / 1000, (timeout % 1000) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

int cli_run_loop(const struct cli_common *common, const struct cli_loop_ops *ops, void *ctx)
{
	uint64_t step = (uint64_t)common->interval_s * 1000000000ull;
	uint64_t deadline = cli_now_ns();
	long done = 0;

	cli_install_signals();
	if (!step) {
		uint64_t end = ops->duration_ms ? cli_now_ns() + ops->duration_ms * 1000000ull : 0;
		int err = wait_until(end, ops, ctx);
		if (err < 0)
			return cli_fail("polling for events failed: %s", strerror(-err));
		return ops->tick(ctx, true);
	}
	for (;;) {
		deadline += step; /* fixed cadence: intervals don't drift with print time */
		int err = wait_until(deadline, ops, ctx);
		if (err < 0)
			return cli_fail("polling for events failed: %s", strerror(-err));
		done++;
		bool last = cli_stop || (common->count > 0 && done >= common->count);
		int rc = ops->tick(ctx, last);
		if (rc || last)
			return rc;
	}
}
