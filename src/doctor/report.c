/* doctor's report: the ranked findings as text for a terminal, one JSON object
 * ({"host","duration_s","findings":[{"id","severity","title","evidence","explanation",
 * "next"}],"summary"}), or one self-contained HTML page (no network: styles inline,
 * histograms drawn as HTML bars). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lib/out.h"
#include "doctor/doctor.h"

/* --- headline numbers (the "no problem found" line and the summary) --- */

struct headline {
	const char *key;   /* JSON key, units in the name */
	const char *label; /* text */
	double value;
	const char *fmt;   /* printf format of the value for text */
};

static unsigned headlines(const struct doctor_evidence *ev, struct headline *h, unsigned max)
{
	unsigned n = 0;
	double worst_await = 0;
	const char *worst_disk = NULL;

#define ADD(k, l, v, f)                                                                     \
	do {                                                                                \
		if (n < max)                                                                \
			h[n++] = (struct headline){k, l, v, f};                             \
	} while (0)
	if (ev->have_check) {
		ADD("cpu_busy_pct", "CPU busy", ev->cpu_busy_pct, "%.0f%%");
		ADD("runnable_avg", "runnable tasks", ev->runnable_avg, "%.1f");
		ADD("mem_available_pct", "memory available", ev->mem_available_pct, "%.0f%%");
	}
	if (ev->have_runq)
		ADD("runq_p99_ms", "run-queue wait p99", ev->runq_p99_ms, "%.1f ms");
	for (unsigned i = 0; i < ev->ndisks; i++) {
		double a = fmax(ev->disks[i].r_await_ms, ev->disks[i].w_await_ms);
		if (!worst_disk || a > worst_await) {
			worst_await = a;
			worst_disk = ev->disks[i].name;
		}
	}
	if (worst_disk)
		ADD("disk_await_max_ms", "worst disk await", worst_await, "%.1f ms");
	if (ev->have_cache && !isnan(ev->cache_hit_pct))
		ADD("cache_hit_pct", "page cache hits", ev->cache_hit_pct, "%.0f%%");
	if (ev->have_tcp)
		ADD("tcp_retrans_per_s", "TCP retransmits", ev->tcp_retrans_per_s, "%.1f/s");
	if (ev->have_drops)
		ADD("packet_drops", "packet drops", (double)ev->drops_total, "%.0f");
	if (ev->have_syscalls)
		ADD("failed_syscalls", "failed syscalls", (double)ev->syserr_total, "%.0f");
#undef ADD
	return n;
}

static unsigned alarms(const struct doctor_findings *fs)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fs->n; i++)
		n += fs->f[i].severity >= SEV_WARNING;
	return n;
}

static const char *status(const struct doctor_findings *fs)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (fs->f[i].severity == SEV_CRITICAL)
			return "critical";
	return alarms(fs) ? "warning" : "ok";
}

static void field_text(const struct doctor_field *d, char *buf, size_t size)
{
	if (d->is_text)
		snprintf(buf, size, "%s", d->text);
	else if (d->num == floor(d->num) && fabs(d->num) < 1e15)
		snprintf(buf, size, "%.0f", d->num);
	else
		snprintf(buf, size, "%.2f", d->num);
}

/* --- text --- */

#define TEXT_STALLED 5 /* threads in the text's off-CPU section */
/* D-state time of the worst thread from which the text shows the section: a healthy host's
 * threads wait a few ms in D in 10 s (page faults, RCU), and its report stays short */
#define TEXT_STALL_MIN_MS 50.0

static double rounded(double ms)
{
	return round(ms * 10) / 10;
}

/* The worst-stalled threads: by D-state time with their top D stack, then the longest
 * off-CPU overall in one line. */
static void offcpu_text(const struct doctor_evidence *ev, FILE *f)
{
	if (!ev->have_offcpu || !ev->noffcpu_d || ev->offcpu_d[0].d_ms < TEXT_STALL_MIN_MS)
		return;
	fprintf(f, "\noff-CPU (D = uninterruptible: I/O and lock waits): D %.0f ms in %llu waits, "
		   "other sleep %.0f ms, %llu threads blocked\n",
		ev->offcpu_d_ms, (unsigned long long)ev->offcpu_d_count, ev->offcpu_sleep_ms,
		(unsigned long long)ev->offcpu_threads);
	fprintf(f, "  %7s %7s %-15s %9s %9s  %s\n", "PID", "TID", "COMM", "D ms", "sleep ms",
		"top D stack of the process (leaf first)");
	for (unsigned i = 0; i < ev->noffcpu_d && i < TEXT_STALLED; i++) {
		const struct ev_offcpu *o = &ev->offcpu_d[i];
		fprintf(f, "  %7u %7u %-15s %9.1f %9.1f  %s\n", o->tgid, o->tid, o->comm, o->d_ms,
			o->sleep_ms, o->d_stack[0] ? o->d_stack : "-");
	}
	if (ev->noffcpu_total) {
		fprintf(f, "  longest off-CPU:");
		for (unsigned i = 0; i < ev->noffcpu_total && i < 3; i++)
			fprintf(f, "%s %s (%u/%u) %.0f ms", i ? "," : "", ev->offcpu_total[i].comm,
				ev->offcpu_total[i].tgid, ev->offcpu_total[i].tid,
				ev->offcpu_total[i].d_ms + ev->offcpu_total[i].sleep_ms);
		fprintf(f, "\n");
	}
}

void doctor_report_text(const struct doctor_evidence *ev, const struct doctor_findings *fs,
			FILE *f)
{
	struct headline h[16];
	unsigned nh = headlines(ev, h, 16);
	char val[128];

	fprintf(f, "whyslow doctor: %s, %.1f s sweep%s\n", ev->host, ev->duration_s,
		ev->focus_pid ? "" : " of the whole host");
	if (ev->focus_pid)
		fprintf(f, "focused on PID %d\n", ev->focus_pid);
	if (!alarms(fs)) {
		fprintf(f, "\nno problem found:");
		for (unsigned i = 0; i < nh; i++) {
			snprintf(val, sizeof(val), h[i].fmt, h[i].value);
			fprintf(f, "%s %s %s", i ? "," : "", h[i].label, val);
		}
		fprintf(f, "\n");
	}
	for (unsigned i = 0; i < fs->n; i++) {
		const struct doctor_finding *x = &fs->f[i];
		fprintf(f, "\n%u. [%s] %s (case %s)\n   %s\n", i + 1, doctor_severity_name(x->severity),
			x->id, x->cases, x->title);
		fprintf(f, "   evidence:");
		for (unsigned k = 0; k < x->nfields; k++) {
			field_text(&x->fields[k], val, sizeof(val));
			fprintf(f, "%s %s=%s", k ? "," : "", x->fields[k].key, val);
		}
		fprintf(f, "\n   why: %s\n", x->explanation);
		for (unsigned k = 0; k < x->nnext; k++)
			fprintf(f, "   next: %s\n", x->next[k]);
	}
	offcpu_text(ev, f);
	if (ev->nnotes) {
		fprintf(f, "\nnot measured:\n");
		for (unsigned i = 0; i < ev->nnotes; i++)
			fprintf(f, "  %s\n", ev->notes[i]);
	}
	fflush(f);
}

/* --- JSON --- */

static void finding_json(const struct doctor_finding *x, struct json *j)
{
	json_object_open(j, NULL);
	json_str(j, "id", x->id);
	json_str(j, "severity", doctor_severity_name(x->severity));
	json_str(j, "title", x->title);
	json_str(j, "case", x->cases);
	json_object_open(j, "evidence");
	for (unsigned k = 0; k < x->nfields; k++) {
		if (x->fields[k].is_text)
			json_str(j, x->fields[k].key, x->fields[k].text);
		else
			json_double(j, x->fields[k].key, x->fields[k].num);
	}
	json_object_close(j);
	json_str(j, "explanation", x->explanation);
	json_array_open(j, "next");
	for (unsigned k = 0; k < x->nnext; k++)
		json_str(j, NULL, x->next[k]);
	json_array_close(j);
	json_object_close(j);
}

static void offcpu_thread_json(const struct ev_offcpu *o, struct json *j)
{
	json_object_open(j, NULL);
	json_u64(j, "pid", o->tgid);
	json_u64(j, "tid", o->tid);
	json_str(j, "comm", o->comm);
	json_double(j, "d_ms", rounded(o->d_ms));
	json_double(j, "sleep_ms", rounded(o->sleep_ms));
	json_u64(j, "d_waits", o->d_count);
	json_double(j, "d_max_ms", rounded(o->d_max_ms));
	if (o->nframes) {
		json_str(j, "top_d_stack", o->d_stack);
		json_double(j, "top_d_stack_ms", rounded(o->stack_d_ms));
		json_array_open(j, "top_d_stack_frames");
		for (unsigned k = 0; k < o->nframes; k++)
			json_str(j, NULL, o->frames[k]);
		json_array_close(j);
	}
	json_object_close(j);
}

/* "offcpu":{"d_ms","sleep_ms","d_waits","threads","worst_d":[...],"worst_offcpu":[...]} */
static void offcpu_json(const struct doctor_evidence *ev, struct json *j)
{
	if (!ev->have_offcpu)
		return;
	json_object_open(j, "offcpu");
	json_double(j, "d_ms", rounded(ev->offcpu_d_ms));
	json_double(j, "sleep_ms", rounded(ev->offcpu_sleep_ms));
	json_u64(j, "d_waits", ev->offcpu_d_count);
	json_u64(j, "threads", ev->offcpu_threads);
	json_double(j, "d_without_stack_ms", rounded(ev->offcpu_d_nostack_ms));
	json_array_open(j, "worst_d");
	for (unsigned i = 0; i < ev->noffcpu_d; i++)
		offcpu_thread_json(&ev->offcpu_d[i], j);
	json_array_close(j);
	json_array_open(j, "worst_offcpu");
	for (unsigned i = 0; i < ev->noffcpu_total; i++)
		offcpu_thread_json(&ev->offcpu_total[i], j);
	json_array_close(j);
	json_object_close(j);
}

void doctor_report_json(const struct doctor_evidence *ev, const struct doctor_findings *fs,
			FILE *f)
{
	struct headline h[16];
	unsigned nh = headlines(ev, h, 16);
	struct json j;

	json_begin(&j, f, "doctor");
	json_str(&j, "host", ev->host);
	json_double(&j, "duration_s", round(ev->duration_s * 1000) / 1000);
	if (ev->focus_pid)
		json_i64(&j, "pid", ev->focus_pid);
	json_array_open(&j, "findings");
	for (unsigned i = 0; i < fs->n; i++)
		finding_json(&fs->f[i], &j);
	json_array_close(&j);
	json_object_open(&j, "summary");
	json_str(&j, "status", status(fs));
	json_u64(&j, "findings", fs->n);
	json_str(&j, "top", fs->n ? fs->f[0].id : NULL);
	for (unsigned i = 0; i < nh; i++)
		json_double(&j, h[i].key, h[i].value);
	offcpu_json(ev, &j);
	json_array_open(&j, "not_measured");
	for (unsigned i = 0; i < ev->nnotes; i++)
		json_str(&j, NULL, ev->notes[i]);
	json_array_close(&j);
	json_object_close(&j);
	json_end(&j);
}

/* --- HTML --- */

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void base64(FILE *f, const char *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)data;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);
		fputc(digits[v >> 18 & 63], f);
		fputc(digits[v >> 12 & 63], f);
		fputc(i + 1 < len ? digits[v >> 6 & 63] : '=', f);
		fputc(i + 2 < len ? digits[v & 63] : '=', f);
	}
}

/* An SVG as an image from a data: URI: drawn, with no script running in the page. */
static void html_svg_image(FILE *f, const char *id, const char *alt, const char *svg)
{
	fprintf(f, "<img id=%s style=\"max-width:100%%\" alt=\"%s\" src=\"data:image/svg+xml;base64,",
		id, alt);
	base64(f, svg, strlen(svg));
	fprintf(f, "\">\n");
}

/* A log2 histogram (microseconds) as rows of HTML bars. */
static void html_hist(FILE *f, const char *title, const struct hist *h)
{
	uint64_t top = 0;
	unsigned lo = h->nslots, hi = 0;

	for (unsigned i = 0; i < h->nslots; i++) {
		if (!h->counts[i])
			continue;
		top = h->counts[i] > top ? h->counts[i] : top;
		lo = i < lo ? i : lo;
		hi = i;
	}
	if (!top)
		return;
	fprintf(f, "<div class=hist><h3>");
	html_escape(f, title);
	fprintf(f, "</h3><table>\n");
	for (unsigned i = lo; i <= hi; i++)
		fprintf(f,
			"<tr><td class=num>%llu&ndash;%llu us</td><td class=num>%llu</td>"
			"<td class=barcell><div class=bar style=\"width:%.1f%%\"></div></td></tr>\n",
			(unsigned long long)hist_low(h, i), (unsigned long long)hist_high(h, i),
			(unsigned long long)h->counts[i], 100.0 * h->counts[i] / top);
	fprintf(f, "</table></div>\n");
}

static const char html_style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1em}"
	".finding{border-left:6px solid #999;padding:.4em 1em;margin:1em 0;background:#fafafa}"
	".critical{border-color:#c0392b}.warning{border-color:#e67e22}.info{border-color:#2980b9}"
	".sev{font-weight:bold;text-transform:uppercase;font-size:.8em}"
	".ok{border-left:6px solid #27ae60;padding:.4em 1em;background:#f4fbf6}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}"
	".num{text-align:right;font-variant-numeric:tabular-nums}"
	".barcell{width:30em}.bar{background:#3b7dd8;height:.9em}"
	"code{background:#eee;padding:0 4px}";

static void html_finding(FILE *f, unsigned rank, const struct doctor_finding *x)
{
	char val[128];

	fprintf(f, "<div class=\"finding %s\" id=\"%s\"><span class=sev>%s</span> "
		   "<code>%s</code> (case %s)\n<h3>%u. ",
		doctor_severity_name(x->severity), x->id, doctor_severity_name(x->severity), x->id,
		x->cases, rank);
	html_escape(f, x->title);
	fprintf(f, "</h3>\n<table class=evidence>");
	for (unsigned k = 0; k < x->nfields; k++) {
		field_text(&x->fields[k], val, sizeof(val));
		fprintf(f, "<tr><th>");
		html_escape(f, x->fields[k].key);
		fprintf(f, "</th><td>");
		html_escape(f, val);
		fprintf(f, "</td></tr>");
	}
	fprintf(f, "</table>\n<p>");
	html_escape(f, x->explanation);
	fprintf(f, "</p>\n<p>Next:");
	for (unsigned k = 0; k < x->nnext; k++) {
		fprintf(f, " <code>");
		html_escape(f, x->next[k]);
		fprintf(f, "</code>");
	}
	fprintf(f, "</p></div>\n");
}

int doctor_report_html(const struct doctor_evidence *ev, const struct doctor_findings *fs,
		       const char *path)
{
	FILE *f = fopen(path, "w");
	struct headline h[16];
	unsigned nh = headlines(ev, h, 16);
	char val[64];

	if (!f)
		return -errno;
	fprintf(f, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
		   "<title>whyslow doctor: ");
	html_escape(f, ev->host);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>whyslow doctor: ", html_style);
	html_escape(f, ev->host);
	fprintf(f, "</h1>\n<p>%.1f s sweep%s", ev->duration_s, ev->focus_pid ? ", focused on PID " : " of the whole host");
	if (ev->focus_pid)
		fprintf(f, "%d", ev->focus_pid);
	fprintf(f, ". Status: <b id=status>%s</b>.</p>\n<h2>Findings</h2>\n", status(fs));
	if (!alarms(fs))
		fprintf(f, "<div class=ok id=healthy>No problem found.</div>\n");
	for (unsigned i = 0; i < fs->n; i++)
		html_finding(f, i + 1, &fs->f[i]);
	fprintf(f, "<h2>Checklist</h2>\n<table id=checklist>\n");
	for (unsigned i = 0; i < nh; i++) {
		snprintf(val, sizeof(val), h[i].fmt, h[i].value);
		fprintf(f, "<tr><th>%s</th><td class=num>", h[i].label);
		html_escape(f, val);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	if (ev->ndisks) {
		fprintf(f, "<h3>Disks (iostat -x over the sweep)</h3>\n<table><tr><th>disk</th>"
			   "<th>r/s</th><th>w/s</th><th>r_await ms</th><th>w_await ms</th>"
			   "<th>aqu-sz</th><th>%%util</th></tr>\n");
		for (unsigned i = 0; i < ev->ndisks; i++) {
			const struct ev_disk *d = &ev->disks[i];
			fprintf(f, "<tr><td>");
			html_escape(f, d->name);
			fprintf(f, "</td><td class=num>%.1f</td><td class=num>%.1f</td><td class=num>%.1f</td>"
				   "<td class=num>%.1f</td><td class=num>%.2f</td><td class=num>%.0f</td></tr>\n",
				d->r_per_s, d->w_per_s, d->r_await_ms, d->w_await_ms, d->aqu_sz,
				d->util_pct);
		}
		fprintf(f, "</table>\n");
	}
	fprintf(f, "<h2>Histograms</h2>\n");
	for (unsigned i = 0; i < ev->ndisks; i++) {
		char title[96];
		snprintf(title, sizeof(title), "block I/O latency, %s (issue to completion)",
			 ev->disks[i].name);
		html_hist(f, title, &ev->disks[i].lat_us);
	}
	if (ev->have_runq)
		html_hist(f, "run-queue wait, all tasks", &ev->runq_hist);
	if (ev->cpu_flamegraph_svg) {
		fprintf(f, "<h2>CPU flame graph</h2>\n<p>%llu on-CPU samples during the sweep.</p>\n",
			(unsigned long long)ev->cpu_samples);
		html_svg_image(f, "flamegraph", "CPU flame graph", ev->cpu_flamegraph_svg);
	}
	if (ev->have_offcpu && ev->noffcpu_d) {
		fprintf(f, "<h2>Off-CPU: the worst stalled threads</h2>\n<p>D state "
			   "(uninterruptible: I/O and lock waits) %.0f ms in %llu waits; other sleep "
			   "%.0f ms.</p>\n<table id=offcpu><tr><th>PID</th><th>TID</th><th>comm</th>"
			   "<th>D ms</th><th>sleep ms</th><th>top D stack of the process</th></tr>\n",
			ev->offcpu_d_ms, (unsigned long long)ev->offcpu_d_count, ev->offcpu_sleep_ms);
		for (unsigned i = 0; i < ev->noffcpu_d; i++) {
			const struct ev_offcpu *o = &ev->offcpu_d[i];
			fprintf(f, "<tr><td class=num>%u</td><td class=num>%u</td><td>", o->tgid, o->tid);
			html_escape(f, o->comm);
			fprintf(f, "</td><td class=num>%.1f</td><td class=num>%.1f</td><td><code>",
				o->d_ms, o->sleep_ms);
			html_escape(f, o->d_stack);
			fprintf(f, "</code></td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
	if (ev->d_flamegraph_svg) {
		fprintf(f, "<h2>Off-CPU flame graph (D state)</h2>\n<p>%.0f ms of D-state time by "
			   "kernel stack.</p>\n", ev->d_flamegraph_ms);
		html_svg_image(f, "d_flamegraph", "D-state flame graph", ev->d_flamegraph_svg);
	}
	if (ev->nnotes) {
		fprintf(f, "<h2>Not measured</h2>\n<ul>\n");
		for (unsigned i = 0; i < ev->nnotes; i++) {
			fprintf(f, "<li>");
			html_escape(f, ev->notes[i]);
			fprintf(f, "</li>\n");
		}
		fprintf(f, "</ul>\n");
	}
	fprintf(f, "</body></html>\n");
	if (fclose(f))
		return -errno;
	return 0;
}
