/* whyslow: the command table and dispatch, nothing else.
 *
 * Each command lives in src/<area>/NAME.c and exports
 *     const struct cli_spec NAME_spec;      (name, summary, usage, options, examples)
 *     int cmd_NAME(int argc, char **argv);  (argv[0] is the command name)
 * and is listed once below. `whyslow --help` groups commands by resource. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"

/* X(name, group, cases): cases are those of CASES.md the command serves. */
#define COMMANDS(X)                                                                        \
	X(check, "overview", "C1 C2 C4 C12 C13")                                           \
	X(doctor, "overview", "C1 C2 C4 C5 C6 C7 C10 C12")                                 \
	X(features, "overview", "C13")                                                     \
	X(biolatency, "disk", "C1 C2 C3")                                                  \
	X(biosnoop, "disk", "C1 C2 C3")                                                    \
	X(bitesize, "disk", "C1")                                                          \
	X(biotop, "disk", "C1 C11")                                                        \
	X(cachestat, "disk", "C1")                                                         \
	X(fsdist, "disk", "C1 C11")                                                        \
	X(fsslower, "disk", "C1 C11")                                                      \
	X(filetop, "disk", "C11")                                                          \
	X(runqlat, "cpu", "C6 C13")                                                        \
	X(profile, "cpu", "C8 C14")                                                        \
	X(offcputime, "cpu", "C6 C13")                                                     \
	X(schedlat, "cpu", "C6 C13")                                                       \
	X(runqslower, "cpu", "C6 C13")                                                     \
	X(cpudist, "cpu", "C13")                                                           \
	X(runqlen, "cpu", "C13")                                                           \
	X(jitter, "cpu", "C6 C13")                                                         \
	X(sigsnoop, "sys", "C6")                                                           \
	X(syscount, "sys", "C5 C7")                                                        \
	X(errsnoop, "sys", "C7")                                                           \
	X(lockstat, "sys", "C14")                                                          \
	X(funclatency, "sys", "C5")                                                        \
	X(funcslower, "sys", "C5")                                                         \
	X(mmaplock, "mem", "C5")                                                           \
	X(oomkill, "mem", "C12")                                                           \
	X(memstat, "mem", "C5")                                                            \
	X(flamegraph, "render", "C3 C8 C14")                                               \
	X(collapse, "render", "C8 C14")                                                    \
	X(heatmap, "render", "C3")                                                         \
	X(tcpretrans, "net", "C10")                                                        \
	X(skbdrop, "net", "C4 C10")                                                        \
	X(tcptop, "net", "C9 C11")                                                         \
	X(tcplife, "net", "C9")                                                            \
	X(tcpconnect, "net", "C9")                                                         \
	X(nicstat, "net", "C4")                                                            \
	X(softirqs, "irq", "C4 C8")                                                        \
	X(hardirqs, "irq", "C4")                                                           \
	X(irqoff, "irq", "C4 C8")

/* Another name for a command: bcc habit or a narrower view of the same collector. */
#define ALIASES(A)                                                                         \
	A(ext4dist, fsdist)                                                                \
	A(xfsdist, fsdist)                                                                 \
	A(ext4slower, fsslower)                                                            \
	A(xfsslower, fsslower)                                                             \
	A(tcpdrop, skbdrop)

#define DECLARE(name, group, cases)                                                        \
	extern const struct cli_spec name##_spec;                                          \
	int cmd_##name(int argc, char **argv);
COMMANDS(DECLARE)

struct command {
	const char *name;
	const char *group;
	const char *cases;
	const struct cli_spec *spec;
	int (*run)(int argc, char **argv);
};

#define ENTRY(name, group, cases) {#name, group, cases, &name##_spec, cmd_##name},
static const struct command commands[] = {COMMANDS(ENTRY)};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

struct alias {
	const char *name;
	const char *target;
};
#define ALIAS_ENTRY(name, target) {#name, #target},
static const struct alias aliases[] = {ALIASES(ALIAS_ENTRY){NULL, NULL}};

static const struct {
	const char *group;
	const char *title;
} groups[] = {
	{"overview", "Overview"},
	{"disk", "Disk, file system and page cache"},
	{"mem", "Memory"},
	{"cpu", "CPU and scheduler"},
	{"irq", "Interrupts"},
	{"net", "Network"},
	{"sys", "Syscalls, errors, signals and locks"},
	{"render", "Pictures"},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	for (size_t i = 0; aliases[i].name; i++)
		if (strcmp(aliases[i].name, name) == 0)
			return find_command(aliases[i].target);
	return NULL;
}

/* Edit distance, for "did you mean". Names are short; a row of 64 suffices. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (lb >= 63 || la >= 63)
		return 64;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *closest_name(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4; /* suggest only names within three edits, or sharing a prefix */

	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t d = edit_distance(name, commands[i].name);
		if (strlen(name) >= 3 && strncmp(name, commands[i].name, strlen(name)) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best;
}

static void print_overview(FILE *f)
{
	fprintf(f, "whyslow %s: Linux performance troubleshooting, one binary.\n\n"
		   "usage: whyslow <command> [options] [interval [count]]\n"
		   "       whyslow <command> --help     options and examples of a command\n"
		   "       whyslow --version\n",
		WHYSLOW_VERSION);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		bool title = false;
		for (size_t i = 0; i < NCOMMANDS; i++) {
			if (strcmp(commands[i].group, groups[g].group) != 0)
				continue;
			if (!title)
				fprintf(f, "\n%s:\n", groups[g].title);
			title = true;
			fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].spec->summary);
		}
	}
	fprintf(f, "\nAliases:");
	for (size_t i = 0; aliases[i].name; i++)
		fprintf(f, " %s (%s)", aliases[i].name, aliases[i].target);
	if (!aliases[0].name)
		fprintf(f, " none");
	fprintf(f, "\nEvery command takes --json (one object per line) and -v (libbpf's log).\n"
		   "Symlink a command's name to whyslow to run it directly (make links).\n");
}

/* --list: every name a symlink may carry, one per line (used by `make links` and tests);
 * --list-table: name, group and cases, tab-separated (the README test reads this). */
static void print_list(bool table)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (table)
			printf("%s\t%s\t%s\n", commands[i].name, commands[i].group, commands[i].cases);
		else
			printf("%s\n", commands[i].name);
	}
	for (size_t i = 0; aliases[i].name; i++) {
		if (table)
			printf("%s\talias\t%s\n", aliases[i].name, aliases[i].target);
		else
			printf("%s\n", aliases[i].name);
	}
}

static int run_command(const struct command *c, int argc, char **argv)
{
	cli_command = argv[0];
	return c->run(argc, argv);
}

static int unknown_command(const char *name)
{
	const char *hint = closest_name(name);

	if (hint)
		fprintf(stderr, "whyslow: unknown command '%s': did you mean '%s'? (whyslow --help lists them)\n",
			name, hint);
	else
		fprintf(stderr, "whyslow: unknown command '%s': whyslow --help lists the commands\n", name);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const struct command *c;

	/* busybox style: invoked as "biolatency" through a symlink */
	if (strcmp(self, "whyslow") != 0 && (c = find_command(self)) != NULL) {
		argv[0] = (char *)self;
		return run_command(c, argc, argv);
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("whyslow %s\n", WHYSLOW_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--list") == 0 || strcmp(argv[1], "--list-table") == 0) {
		print_list(strcmp(argv[1], "--list-table") == 0);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 && argc == 3) {
		if (!(c = find_command(argv[2])))
			return unknown_command(argv[2]);
		cli_command = argv[2];
		cli_print_help(c->spec, stdout);
		return EXIT_OK;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "whyslow: unknown option '%s': whyslow --help lists commands and options\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (!(c = find_command(argv[1])))
		return unknown_command(argv[1]);
	return run_command(c, argc - 1, argv + 1);
}
