/* Positional files and input/output files of the render commands: see render_cli.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "render/render_cli.h"

static const struct cli_opt *find_long(const struct cli_opt *o, const char *name, size_t len)
{
	for (; o && o->key; o++)
		if (o->name && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *o, int c)
{
	for (; o && o->key; o++)
		if (o->key == c && c < CLI_LONG_ONLY)
			return o;
	return NULL;
}

void render_args_split(const struct cli_spec *spec, int argc, char **argv, struct render_args *a)
{
	a->argv = calloc(argc + 1, sizeof(char *));
	a->files = calloc(argc + 1, sizeof(char *));
	a->argc = a->nfiles = 0;
	if (!a->argv || !a->files)
		cli_usage_error("out of memory");
	a->argv[a->argc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		char *s = argv[i];
		if (strcmp(s, "--") == 0) {
			while (++i < argc)
				a->files[a->nfiles++] = argv[i];
			break;
		}
		if (s[0] != '-' || s[1] == 0) { /* a file, or "-" for stdin */
			a->files[a->nfiles++] = s;
			continue;
		}
		a->argv[a->argc++] = s;
		bool takes_value = false;
		if (s[1] == '-') {
			const char *eq = strchr(s + 2, '=');
			const struct cli_opt *o =
				find_long(spec->opts, s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
			takes_value = o && o->arg && !eq;
		} else {
			/* a cluster of short options: the first one taking a value ends it */
			for (const char *c = s + 1; *c; c++) {
				const struct cli_opt *o = find_short(spec->opts, (unsigned char)*c);
				if (o && o->arg) {
					takes_value = c[1] == 0;
					break;
				}
			}
		}
		if (takes_value && i + 1 < argc)
			a->argv[a->argc++] = argv[++i];
	}
	a->argv[a->argc] = NULL;
}

void render_args_free(struct render_args *a)
{
	free(a->argv);
	free(a->files);
}

FILE *render_open_input(const char *path)
{
	FILE *f;

	if (!path || strcmp(path, "-") == 0) {
		if (isatty(STDIN_FILENO))
			cli_warn("reading standard input from the terminal (Ctrl-D ends it): pipe the "
				 "input in or name a file");
		return stdin;
	}
	if (!(f = fopen(path, "r"))) {
		cli_fail("%s: %s: check the path and permissions", path, strerror(errno));
		return NULL;
	}
	return f;
}

void render_close_input(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

FILE *render_open_output(const char *path)
{
	FILE *f = stdout;

	if (path && strcmp(path, "-") != 0) {
		if (!(f = fopen(path, "w"))) {
			cli_fail("%s: %s: cannot write the output there", path, strerror(errno));
			return NULL;
		}
		setvbuf(f, NULL, _IOFBF, 1 << 20); /* stdout may be in use: left as it is */
	}
	return f;
}

int render_close_output(FILE *f, const char *path)
{
	int bad = fflush(f) != 0 || ferror(f);
	int err = errno;

	if (f != stdout && fclose(f) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad)
		return cli_fail("%s: write failed: %s", path && strcmp(path, "-") ? path : "stdout",
				strerror(err ? err : EIO));
	return EXIT_OK;
}
