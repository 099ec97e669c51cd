/* Positional file arguments for the render commands. cli_parse accepts only
 * [interval [count]] as positionals, so the renderers take their FILE arguments out of
 * argv first, using the spec to know which options consume a value. */
#ifndef WHYSLOW_RENDER_CLI_H
#define WHYSLOW_RENDER_CLI_H

#include <stdio.h>
#include "lib/cli.h"

struct render_args {
	int argc;     /* argv without the files, for cli_parse */
	char **argv;
	int nfiles;
	char **files; /* in order; "-" is standard input */
};

/* Splits argv; exits with a usage error when out of memory. Free with render_args_free. */
void render_args_split(const struct cli_spec *spec, int argc, char **argv, struct render_args *a);
void render_args_free(struct render_args *a);

/* Opens an input file ("-" or NULL: stdin). Prints "whyslow CMD: PATH: error: hint" and
 * returns NULL on failure. */
FILE *render_open_input(const char *path);
void render_close_input(FILE *f);
/* Opens the output ("-" or NULL: stdout), with a large buffer. */
FILE *render_open_output(const char *path);
/* Flushes and closes; returns 0 or prints the error and returns EXIT_RUNTIME. */
int render_close_output(FILE *f, const char *path);

#endif
