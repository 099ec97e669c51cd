/* Common command-line handling: option specs and --help, value parsers with one-line
 * errors, the [interval [count]] loop with SIGINT/SIGTERM, and exit codes.
 * Every command goes through here, so options, errors and Ctrl-C behave the same. */
#ifndef WHYSLOW_CLI_H
#define WHYSLOW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/types.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Keys >= CLI_LONG_ONLY have no short form. */
enum { CLI_LONG_ONLY = 256 };

struct cli_opt {
	int key;          /* short option character, or CLI_LONG_ONLY + n */
	const char *name; /* long name without dashes, or NULL */
	const char *arg;  /* metavar ("PID") if the option takes a value, else NULL */
	const char *help; /* one line */
};

struct cli_spec {
	const char *name;        /* command name, e.g. "biolatency" */
	const char *summary;     /* one line, shown in whyslow --help */
	const char *usage;       /* after the name, e.g. "[-T] [-m] [interval [count]]" */
	const char *description; /* a paragraph: what it measures, from which hooks */
	const struct cli_opt *opts; /* command options, terminated by {0} */
	const char *examples;    /* lines "whyslow biolatency -D 1 10   # per disk, ..." */
	bool interval;           /* accepts positional [interval [count]] */
};

/* Options every command has; filled by cli_parse. */
struct cli_common {
	bool json;           /* --json: one object per interval, one per line */
	bool verbose;        /* -v/--verbose: libbpf's log and debugging detail */
	unsigned interval_s; /* 0: no interval (run until Ctrl-C or the command's own end) */
	long count;          /* number of intervals, -1 for unlimited */
};

typedef int (*cli_opt_fn)(void *ctx, int key, const char *arg);

/* Name of the running command, for error messages ("whyslow NAME: ..."). */
extern const char *cli_command;

/* Parses argv. Handles -h/--help (prints and exits 0), --json, -v, and for specs with
 * .interval the positional [interval [count]]. Calls fn for every command option; fn
 * returns 0, or calls cli_usage_error. Exits with EXIT_USAGE on bad input. */
void cli_parse(const struct cli_spec *spec, int argc, char **argv,
	       struct cli_common *common, cli_opt_fn fn, void *ctx);
void cli_print_help(const struct cli_spec *spec, FILE *f);

/* One line "whyslow CMD: <msg>" plus a hint to --help; exits EXIT_USAGE. */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* One line "whyslow CMD: <msg>" to stderr; returns EXIT_RUNTIME for `return cli_fail(..)`. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning line "whyslow CMD: warning: <msg>" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Value parsers: on bad input they call cli_usage_error naming `what`. */
unsigned long cli_parse_ulong(const char *s, const char *what, unsigned long min,
			      unsigned long max);
double cli_parse_double(const char *s, const char *what, double min, double max);
pid_t cli_parse_pid(const char *s);            /* must exist in /proc */
pid_t cli_parse_tid(const char *s);            /* a thread id: must exist in /proc */
int cli_parse_cpu(const char *s);              /* must be a possible CPU */
dev_t cli_parse_disk(const char *s, char *name, size_t name_size); /* "sda", "/dev/sda", "8:0" */

/* Run-time prerequisites with dedicated messages. Return 0 or print and return EXIT_RUNTIME. */
int cli_require_root(void);

/* --- the interval loop --- */
extern volatile sig_atomic_t cli_stop; /* set by SIGINT/SIGTERM */
void cli_install_signals(void);

struct cli_loop_ops {
	/* Called at every interval end, and once more with last=true when the loop ends
	 * (count reached, Ctrl-C, or the end of a non-interval run). Return non-zero to stop
	 * with that exit status. */
	int (*tick)(void *ctx, bool last);
	/* Optional: wait up to timeout_ms for events (ring buffer poll). Return < 0 on error. */
	int (*poll)(void *ctx, int timeout_ms);
	/* Optional: non-interval runs end after this many ms (0: until Ctrl-C). */
	uint64_t duration_ms;
};
int cli_run_loop(const struct cli_common *common, const struct cli_loop_ops *ops, void *ctx);

/* Monotonic and wall clocks. */
uint64_t cli_now_ns(void);     /* CLOCK_MONOTONIC, same clock as bpf_ktime_get_ns() */
uint64_t cli_boot_ns(void);    /* CLOCK_BOOTTIME */
void cli_strftime_now(char *buf, size_t size); /* "HH:MM:SS" */

#endif
