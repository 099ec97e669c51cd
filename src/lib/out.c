/* Output helpers; see out.h. */
#include <math.h>
#include <string.h>
#include <time.h>
#include "lib/out.h"

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator and key for the next item of the open container. */
static void item(struct json *j, const char *key)
{
	if (j->depth > 0 && j->depth <= JSON_MAX_DEPTH) {
		if (j->has_items[j->depth - 1])
			fputc(',', j->f);
		j->has_items[j->depth - 1] = true;
	}
	if (key) {
		json_write_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open_container(struct json *j, const char *key, char c)
{
	item(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH)
		j->has_items[j->depth] = false;
	j->depth++;
}

void json_object_open(struct json *j, const char *key) { open_container(j, key, '{'); }
void json_array_open(struct json *j, const char *key) { open_container(j, key, '['); }

void json_object_close(struct json *j)
{
	j->depth--;
	fputc('}', j->f);
}

void json_array_close(struct json *j)
{
	j->depth--;
	fputc(']', j->f);
}

void json_begin(struct json *j, FILE *f, const char *command)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	memset(j, 0, sizeof(*j));
	j->f = f;
	json_object_open(j, NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (command)
		json_str(j, "command", command);
	json_str(j, "timestamp", ts);
}

void json_end(struct json *j)
{
	while (j->depth > 0)
		json_object_close(j);
	fputc('\n', j->f);
	fflush(j->f);
}

void json_str(struct json *j, const char *key, const char *value)
{
	item(j, key);
	if (value)
		json_write_string(j->f, value);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	item(j, key);
	fprintf(j->f, "%llu", (unsigned long long)value);
}

void json_i64(struct json *j, const char *key, int64_t value)
{
	item(j, key);
	fprintf(j->f, "%lld", (long long)value);
}

void json_double(struct json *j, const char *key, double value)
{
	item(j, key);
	if (!isfinite(value))
		fputs("null", j->f);
	else if (value == floor(value) && fabs(value) < 1e15)
		fprintf(j->f, "%.0f", value);
	else
		fprintf(j->f, "%.6g", value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	item(j, key);
	fputs(value ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	item(j, key);
	fputs("null", j->f);
}

void out_timestamp_line(FILE *f)
{
	char buf[16];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(f, "%s\n", buf);
}
