/* See stacks_flame.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cli.h"
#include "lib/out.h"
#include "lib/stacks_flame.h"

int stack_samples_flamegraph(struct stack_syms *ss, const struct stack_samples *s,
			     const char *path, const struct flamegraph_opts *o)
{
	struct folded_set fs;
	struct frame_tree t;
	FILE *out;
	int rc = 0;

	folded_set_init(&fs);
	frame_tree_init(&t);
	t.quiet = true;
	if (stack_samples_fold(ss, s, false, &fs)) {
		rc = cli_fail("out of memory folding stacks for %s", path);
		goto done;
	}
	for (size_t i = 0; i < fs.n; i++) {
		char *line = NULL;
		int len = asprintf(&line, "%s %llu", fs.entries[i].line,
				   (unsigned long long)fs.entries[i].count);

		if (len < 0 || frame_tree_add_folded(&t, line, (size_t)len, i + 1, COUNT_MAIN)) {
			free(line);
			rc = cli_fail("out of memory building the flame graph");
			goto done;
		}
		free(line);
	}
	if (!(out = fopen(path, "w"))) {
		rc = cli_fail("cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	if (flamegraph_write(&t, o, out) | fclose(out))
		rc = cli_fail("writing the flame graph to %s failed", path);
done:
	frame_tree_free(&t);
	folded_set_free(&fs);
	return rc;
}

int stack_report_print(struct stack_syms *ss, struct stack_samples *s, uint64_t missed,
		       const struct stack_report *r)
{
	int err;

	stack_samples_sort(s);
	if (r->flamegraph && (err = stack_samples_flamegraph(ss, s, r->flamegraph, &r->fg)))
		return err;
	if (r->json) {
		struct json j;

		json_begin(&j, stdout, r->command);
		if (r->json_extra)
			r->json_extra(&j, r->ctx);
		json_u64(&j, r->total_key, s->total);
		json_u64(&j, r->missed_key, missed);
		stack_samples_json(ss, s, r->value_key, 0, &j);
		json_end(&j);
		return 0;
	}
	if (r->timestamp)
		out_timestamp_line(stdout);
	stack_samples_print(ss, s, r->folded, r->delimited, stdout);
	if (missed)
		fprintf(stderr, "WARNING: %llu %s lost their stack (stack map full or hash "
				"collision)\n", (unsigned long long)missed, r->missed_what);
	fflush(stdout);
	return 0;
}
