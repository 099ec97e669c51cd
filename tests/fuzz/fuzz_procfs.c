/* libFuzzer target for lib/procfs: every parser runs on the same bytes (NUL-terminated, as
 * the readers hand them over), and the promises callers rely on are checked: counts
 * within the caller's capacity, names terminated within their arrays, comm taken between
 * the first '(' and the last ')'. Also the readings of check, fed figures derived from the
 * parsed diskstats, so that no division or format string trusts the numbers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/procfs.h"
#include "check/check.h"

#define CAP 8

static void must(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_tables(const char *buf)
{
	struct procfs_disk disks[CAP];
	struct procfs_netdev nets[CAP];
	struct procfs_softnet sn[CAP];
	struct procfs_cpu_times cpus[CAP];
	struct procfs_stat st;
	unsigned dropped;
	int n;

	n = procfs_parse_diskstats(buf, disks, CAP, &dropped);
	must(n >= 0 && n <= CAP);
	for (int i = 0; i < n; i++) {
		must(memchr(disks[i].name, 0, sizeof(disks[i].name)) != NULL);
		must(disks[i].nfields == 4 || (disks[i].nfields >= 11 && disks[i].nfields <= 17));
	}
	if (n >= 2) {
		struct check_disk d;
		check_disk_compute(&disks[0], &disks[1], 1 + (disks[0].rd_ios % 5000), &d);
		must(d.util_pct >= 0 && d.util_pct <= 100);
	}
	n = procfs_parse_netdev(buf, nets, CAP, &dropped);
	must(n >= 0 && n <= CAP);
	for (int i = 0; i < n; i++)
		must(memchr(nets[i].name, 0, sizeof(nets[i].name)) != NULL && nets[i].name[0]);
	n = procfs_parse_softnet(buf, sn, CAP);
	must(n >= 0 && n <= CAP);
	if (procfs_parse_stat(buf, &st, cpus, CAP) == 0) {
		must(st.ncpus <= CAP);
		if (st.ncpus >= 1) {
			struct check_cpu c;
			check_cpu_compute(&st.total, &cpus[0], &c);
			must(c.idle_pct >= 0 && c.idle_pct <= 100.0001);
		}
	}
}

static void fuzz_records(const char *buf, size_t len)
{
	struct procfs_pid_stat ps;
	struct procfs_pid_status pst;
	struct procfs_kmsg km;
	struct procfs_softirqs si;
	struct procfs_psi psi;
	struct procfs_loadavg la;
	struct procfs_meminfo mi;
	struct procfs_vmstat vm;
	struct procfs_tcp tcp;
	char w[16];
	int64_t v;

	if (procfs_parse_pid_stat(buf, &ps) == 0)
		must(memchr(ps.comm, 0, sizeof(ps.comm)) != NULL && ps.pid > 0);
	if (procfs_parse_pid_status(buf, &pst) == 0)
		must(memchr(pst.name, 0, sizeof(pst.name)) != NULL);
	if (procfs_parse_kmsg(buf, len, &km) == 0) {
		must(km.level <= 7 && memchr(km.text, 0, sizeof(km.text)) != NULL);
		check_kmsg_classify(km.text);
	}
	if (procfs_parse_softirqs(buf, &si) == 0) {
		must(si.nvecs >= 1 && si.nvecs <= PROCFS_SOFTIRQ_VECS && si.ncpus >= 1);
		for (unsigned v2 = 0; v2 < si.nvecs; v2++)
			(void)procfs_softirq(&si, v2, si.ncpus - 1);
		procfs_softirqs_free(&si);
	}
	procfs_parse_psi(buf, &psi);
	procfs_parse_loadavg(buf, &la);
	procfs_parse_meminfo(buf, &mi);
	procfs_parse_vmstat(buf, &vm);
	procfs_parse_tcp(buf, buf, &tcp);
	procfs_snmp_get(buf, "Tcp", "RetransSegs", &v);
	procfs_parse_wchan(buf, w, sizeof(w));
	must(memchr(w, 0, sizeof(w)) != NULL);
	procfs_parse_diskstats_line(buf, len, &(struct procfs_disk){0});
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	fuzz_tables(buf);
	fuzz_records(buf, strlen(buf));
	free(buf);
	return 0;
}
