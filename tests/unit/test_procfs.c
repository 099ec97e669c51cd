/* Parsers of lib/procfs on fixture copies of /proc files, including odd ones: old kernels
 * with fewer diskstats fields, names with blanks, comm with parentheses, offline CPUs. */
#include <stdlib.h>
#include "unit.h"
#include "lib/procfs.h"

static const struct procfs_disk *disk_named(const struct procfs_disk *d, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(d[i].name, name) == 0)
			return &d[i];
	return NULL;
}

TEST(procfs_diskstats_20_fields)
{
	char *buf = unit_read_fixture("procfs_diskstats_20.txt", NULL);
	struct procfs_disk d[16];
	const struct procfs_disk *x;
	int n;

	if (!buf)
		return;
	n = procfs_parse_diskstats(buf, d, 16, NULL);
	CHECK_EQ_I64(n, 6);
	x = disk_named(d, n, "vda");
	CHECK(x != NULL);
	if (x) {
		CHECK_EQ_U64(x->major, 254);
		CHECK_EQ_U64(x->nfields, 17);
		CHECK_EQ_U64(x->rd_ios, 27978);
		CHECK_EQ_U64(x->rd_merges, 6767);
		CHECK_EQ_U64(x->rd_sectors, 2296970);
		CHECK_EQ_U64(x->rd_ticks, 5818);
		CHECK_EQ_U64(x->wr_ios, 4995);
		CHECK_EQ_U64(x->wr_sectors, 513104);
		CHECK_EQ_U64(x->in_flight, 0);
		CHECK_EQ_U64(x->io_ticks, 3028);
		CHECK_EQ_U64(x->time_in_queue, 8305);
		CHECK_EQ_U64(x->dc_ios, 5136);
		CHECK_EQ_U64(x->dc_ticks, 247);
		CHECK_EQ_U64(x->fl_ios, 545);
		CHECK_EQ_U64(x->fl_ticks, 20);
	}
	x = disk_named(d, n, "nvme0n1");
	CHECK(x && x->minor == 0 && x->in_flight == 3);
	free(buf);
}

TEST(procfs_diskstats_18_and_14_fields)
{
	char *b18 = unit_read_fixture("procfs_diskstats_18.txt", NULL);
	char *b14 = unit_read_fixture("procfs_diskstats_14.txt", NULL);
	struct procfs_disk d[8];
	int n;

	if (!b18 || !b14)
		return;
	n = procfs_parse_diskstats(b18, d, 8, NULL);
	CHECK_EQ_I64(n, 2);
	CHECK_EQ_U64(d[0].nfields, 15);
	CHECK_EQ_U64(d[0].dc_ios, 30);
	CHECK_EQ_U64(d[0].dc_sectors, 240);
	CHECK_EQ_U64(d[0].fl_ios, 0);
	CHECK_EQ_U64(d[0].time_in_queue, 4500);

	n = procfs_parse_diskstats(b14, d, 8, NULL);
	CHECK_EQ_I64(n, 3);
	CHECK_EQ_U64(d[0].nfields, 11);
	CHECK_EQ_U64(d[0].wr_ticks, 4000);
	CHECK_EQ_U64(d[0].dc_ios, 0);
	/* 2.6 partition lines: reads, sectors read, writes, sectors written */
	CHECK_STR(d[1].name, "sda1");
	CHECK_EQ_U64(d[1].nfields, 4);
	CHECK_EQ_U64(d[1].rd_ios, 900);
	CHECK_EQ_U64(d[1].rd_sectors, 14000);
	CHECK_EQ_U64(d[1].wr_ios, 1900);
	CHECK_EQ_U64(d[1].wr_sectors, 60000);
	CHECK_STR(d[2].name, "cciss/c0d0");
	free(b18);
	free(b14);
}

TEST(procfs_diskstats_odd_lines)
{
	char *buf = unit_read_fixture("procfs_diskstats_odd.txt", NULL);
	struct procfs_disk d[8];
	unsigned dropped = 99;
	int n;

	if (!buf)
		return;
	n = procfs_parse_diskstats(buf, d, 8, &dropped);
	CHECK_EQ_I64(n, 2); /* garbage, a bare major/minor and a 3-field line are skipped */
	CHECK_EQ_U64(dropped, 0);
	CHECK_STR(d[0].name, "my disk");
	CHECK_EQ_U64(d[0].rd_ios, 1);
	CHECK_EQ_U64(d[0].fl_ticks, 17);
	/* a future kernel with more fields: the known 17 are read, the rest ignored */
	CHECK_STR(d[1].name, "sdc");
	CHECK_EQ_U64(d[1].nfields, 17);
	CHECK_EQ_U64(d[1].time_in_queue, 11);
	CHECK_EQ_U64(d[1].fl_ticks, 17);
	/* capacity: one slot, the other counted as dropped */
	n = procfs_parse_diskstats(buf, d, 1, &dropped);
	CHECK_EQ_I64(n, 1);
	CHECK_EQ_U64(dropped, 1);
	free(buf);
}

TEST(procfs_stat_current_and_old)
{
	char *buf = unit_read_fixture("procfs_stat.txt", NULL);
	char *old = unit_read_fixture("procfs_stat_old.txt", NULL);
	struct procfs_cpu_times cpus[4];
	struct procfs_stat st;

	if (!buf || !old)
		return;
	CHECK_EQ_I64(procfs_parse_stat(buf, &st, cpus, 4), 0);
	CHECK_EQ_U64(st.ncpus, 2);
	CHECK_EQ_U64(st.total.user, 12784);
	CHECK_EQ_U64(st.total.system, 4565);
	CHECK_EQ_U64(st.total.idle, 106552);
	CHECK_EQ_U64(st.total.steal, 12);
	CHECK_EQ_I64(cpus[1].cpu, 1);
	CHECK_EQ_U64(cpus[1].user, 7246);
	CHECK_EQ_U64(cpus[1].softirq, 62);
	CHECK_EQ_U64(st.intr, 317757);
	CHECK_EQ_U64(st.ctxt, 934735);
	CHECK_EQ_U64(st.procs_running, 9);
	CHECK_EQ_U64(procfs_cpu_total(&st.total), 12784 + 4565 + 106552 + 454 + 85 + 12);

	/* 2.6.11-era: 7 fields, no steal/guest; CPU 1 and 2 offline (absent) */
	CHECK_EQ_I64(procfs_parse_stat(old, &st, cpus, 1), 0);
	CHECK_EQ_U64(st.ncpus, 1);
	CHECK_EQ_U64(st.cpus_dropped, 1);
	CHECK_EQ_U64(st.total.softirq, 7);
	CHECK_EQ_U64(st.total.steal, 0);
	CHECK_EQ_U64(st.procs_blocked, 1);
	CHECK_EQ_I64(procfs_parse_stat(old, &st, cpus, 4), 0);
	CHECK_EQ_I64(cpus[1].cpu, 3);
	CHECK_EQ_I64(procfs_parse_stat("intr 1\n", &st, cpus, 4), -1);
	free(buf);
	free(old);
}

TEST(procfs_meminfo_vmstat)
{
	char *mi = unit_read_fixture("procfs_meminfo.txt", NULL);
	char *vm = unit_read_fixture("procfs_vmstat.txt", NULL);
	struct procfs_meminfo m;
	struct procfs_vmstat v;
	uint64_t x;

	if (!mi || !vm)
		return;
	CHECK_EQ_I64(procfs_parse_meminfo(mi, &m), 0);
	CHECK_EQ_U64(m.mem_total, 24684092);
	CHECK_EQ_U64(m.mem_available, 24226356);
	CHECK(m.has_available);
	CHECK_EQ_U64(m.cached, 618820);   /* not SwapCached, which also ends in "Cached" */
	CHECK_EQ_U64(m.active_file, 379936);
	CHECK_EQ_U64(m.sreclaimable, 63856);
	CHECK_EQ_U64(m.swap_total, 0);
	/* before 3.14: no MemAvailable, estimated */
	CHECK_EQ_I64(procfs_parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nCached: 200 kB\n", &m), 0);
	CHECK(!m.has_available);
	CHECK_EQ_U64(m.mem_available, 300);
	CHECK_EQ_I64(procfs_parse_meminfo("nothing here\n", &m), -1);

	CHECK_EQ_I64(procfs_parse_vmstat(vm, &v), 0);
	CHECK_EQ_U64(v.pgpgin, 1829537);
	CHECK_EQ_U64(v.pswpin, 0);
	CHECK_EQ_U64(v.pgmajfault, 1590);
	CHECK_EQ_U64(v.workingset_refault_file, 157276);
	CHECK_EQ_I64(procfs_find_u64(vm, "pgpgin", &x), 0);
	CHECK_EQ_U64(x, 1829537);
	CHECK_EQ_I64(procfs_find_u64(vm, "pgpgi", &x), -1); /* whole keys only */
	/* 4.x per-zone allocstall is summed */
	CHECK_EQ_I64(procfs_parse_vmstat("allocstall_dma32 3\nallocstall_normal 4\n", &v), -1);
	CHECK_EQ_I64(procfs_parse_vmstat("pgpgin 1\nallocstall_dma32 3\nallocstall_normal 4\n", &v), 0);
	CHECK_EQ_U64(v.allocstall, 7);
	free(mi);
	free(vm);
}

TEST(procfs_net_dev)
{
	char *buf = unit_read_fixture("procfs_net_dev.txt", NULL);
	char *odd = unit_read_fixture("procfs_net_dev_odd.txt", NULL);
	struct procfs_netdev n[8];
	int c;

	if (!buf || !odd)
		return;
	c = procfs_parse_netdev(buf, n, 8, NULL);
	CHECK_EQ_I64(c, 4);
	CHECK_STR(n[0].name, "lo");
	CHECK_STR(n[3].name, "eth0");
	/* no blank after the colon (old kernels with big counters), a long name, a short line */
	c = procfs_parse_netdev(odd, n, 8, NULL);
	CHECK_EQ_I64(c, 3);
	CHECK_STR(n[1].name, "eth0");
	CHECK_EQ_U64(n[1].rx_bytes, 28243942);
	CHECK_EQ_U64(n[1].rx_packets, 704);
	CHECK_EQ_U64(n[1].rx_errs, 1);
	CHECK_EQ_U64(n[1].rx_drop, 2);
	CHECK_EQ_U64(n[1].rx_fifo, 3);
	CHECK_EQ_U64(n[1].rx_multicast, 6);
	CHECK_EQ_U64(n[1].tx_bytes, 34361);
	CHECK_EQ_U64(n[1].tx_drop, 8);
	CHECK_EQ_U64(n[1].tx_colls, 10);
	CHECK_EQ_U64(n[1].tx_carrier, 11);
	CHECK_EQ_U64(n[1].tx_compressed, 12);
	CHECK_STR(n[2].name, "veth-long-name.100");
	CHECK_EQ_U64(n[2].rx_bytes, UINT64_MAX);
	free(buf);
	free(odd);
}

TEST(procfs_snmp_tcp)
{
	char *snmp = unit_read_fixture("procfs_net_snmp.txt", NULL);
	char *ns = unit_read_fixture("procfs_net_netstat.txt", NULL);
	struct procfs_tcp t;
	int64_t v;

	if (!snmp || !ns)
		return;
	CHECK_EQ_I64(procfs_parse_tcp(snmp, ns, &t), 0);
	CHECK_EQ_I64(t.active_opens, 15);
	CHECK_EQ_I64(t.passive_opens, 2);
	CHECK_EQ_I64(t.in_segs, 2864);
	CHECK_EQ_I64(t.out_segs, 1536);
	CHECK_EQ_I64(t.retrans_segs, 0);
	CHECK_EQ_I64(t.out_rsts, 2);
	CHECK_EQ_I64(t.listen_overflows, 0);
	CHECK_EQ_I64(t.timeouts, 2);
	CHECK_EQ_I64(procfs_snmp_get(snmp, "Tcp", "MaxConn", &v), 0);
	CHECK_EQ_I64(v, -1); /* negative values exist */
	CHECK_EQ_I64(procfs_snmp_get(snmp, "Tcp", "NoSuchField", &v), -1);
	CHECK_EQ_I64(procfs_snmp_get(snmp, "Udp", "InDatagrams", &v), 0);
	/* "Tcp" must not match "TcpExt" and vice versa */
	CHECK_EQ_I64(procfs_snmp_get(ns, "Tcp", "ListenDrops", &v), -1);
	CHECK_EQ_I64(procfs_parse_tcp(snmp, NULL, &t), 0);
	CHECK_EQ_I64(t.listen_drops, -1);
	/* a header without its value line */
	CHECK_EQ_I64(procfs_snmp_get("Tcp: A B\n", "Tcp", "A", &v), -1);
	CHECK_EQ_I64(procfs_snmp_get("Tcp: A B\nTcp: 5\n", "Tcp", "B", &v), -1);
	free(snmp);
	free(ns);
}

TEST(procfs_softirqs_and_softnet)
{
	char *si = unit_read_fixture("procfs_softirqs.txt", NULL);
	char *sn = unit_read_fixture("procfs_softnet_stat.txt", NULL);
	char *sn13 = unit_read_fixture("procfs_softnet_13col.txt", NULL);
	struct procfs_softirqs s;
	struct procfs_softnet n[4];

	if (!si || !sn || !sn13)
		return;
	CHECK_EQ_I64(procfs_parse_softirqs(si, &s), 0);
	CHECK_EQ_U64(s.ncpus, 2);
	CHECK_EQ_U64(s.nvecs, 10);
	CHECK_STR(s.names[1], "TIMER");
	CHECK_STR(s.names[3], "NET_RX");
	CHECK_EQ_U64(procfs_softirq(&s, 1, 0), 10656);
	CHECK_EQ_U64(procfs_softirq(&s, 3, 1), 2409);
	procfs_softirqs_free(&s);
	CHECK_EQ_I64(procfs_parse_softirqs("HI: 1 2\n", &s), -1);

	CHECK_EQ_I64(procfs_parse_softnet(sn, n, 4), 2);
	CHECK_EQ_U64(n[1].processed, 0xb47);
	CHECK_EQ_U64(n[1].cpu, 1); /* 13th column */
	CHECK_EQ_I64(procfs_parse_softnet(sn13, n, 4), 2);
	CHECK_EQ_U64(n[0].processed, 0xa0b1);
	CHECK_EQ_U64(n[0].dropped, 2);
	CHECK_EQ_U64(n[0].time_squeeze, 16);
	CHECK_EQ_U64(n[0].received_rps, 3);
	CHECK_EQ_U64(n[0].flow_limit, 4);
	CHECK_EQ_U64(n[1].cpu, 2); /* CPU 1 offline: the id column says 2 */
	free(si);
	free(sn);
	free(sn13);
}

TEST(procfs_psi_loadavg)
{
	char *io = unit_read_fixture("procfs_pressure_io.txt", NULL);
	char *cpu = unit_read_fixture("procfs_pressure_cpu.txt", NULL);
	char *la = unit_read_fixture("procfs_loadavg.txt", NULL);
	struct procfs_psi p;
	struct procfs_loadavg l;

	if (!io || !cpu || !la)
		return;
	CHECK_EQ_I64(procfs_parse_psi(io, &p), 0);
	CHECK_NEAR(p.some.avg10, 0.44, 1e-9);
	CHECK_EQ_U64(p.some.total_us, 4462002);
	CHECK(p.full.present);
	CHECK_EQ_U64(p.full.total_us, 3720220);
	CHECK_EQ_I64(procfs_parse_psi(cpu, &p), 0);
	CHECK_NEAR(p.some.avg60, 0.47, 1e-9);
	/* before 5.13 cpu had no "full" line */
	CHECK_EQ_I64(procfs_parse_psi("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n", &p), 0);
	CHECK(!p.full.present);
	CHECK_EQ_I64(procfs_parse_psi("", &p), -1);

	CHECK_EQ_I64(procfs_parse_loadavg(la, &l), 0);
	CHECK_NEAR(l.avg1, 0.20, 1e-9);
	CHECK_NEAR(l.avg15, 0.12, 1e-9);
	CHECK_EQ_U64(l.running, 3);
	CHECK_EQ_U64(l.tasks, 80);
	CHECK_EQ_U64(l.last_pid, 11206);
	CHECK_EQ_I64(procfs_parse_loadavg("0.1 0.2 0.3 1 80 5\n", &l), -1);
	free(io);
	free(cpu);
	free(la);
}

TEST(procfs_pid_stat_comm_with_parentheses)
{
	char *odd = unit_read_fixture("procfs_pid_stat_odd.txt", NULL);
	char *kw = unit_read_fixture("procfs_pid_stat_kworker.txt", NULL);
	struct procfs_pid_stat s;

	if (!odd || !kw)
		return;
	CHECK_EQ_I64(procfs_parse_pid_stat(odd, &s), 0);
	CHECK_EQ_I64(s.pid, 12345);
	CHECK_STR(s.comm, "a) R (b c");
	CHECK_EQ_I64(s.state, 'S');
	CHECK_EQ_I64(s.ppid, 1);
	CHECK_EQ_U64(s.minflt, 1000);
	CHECK_EQ_U64(s.majflt, 5);
	CHECK_EQ_U64(s.utime, 250);
	CHECK_EQ_U64(s.stime, 125);
	CHECK_EQ_I64(s.nice, 0);
	CHECK_EQ_I64(s.num_threads, 3);
	CHECK_EQ_U64(s.starttime, 4242);
	CHECK_EQ_U64(s.rss_pages, 2048);
	CHECK_EQ_I64(s.processor, 1);
	CHECK_EQ_U64(s.delayacct_blkio_ticks, 7);

	CHECK_EQ_I64(procfs_parse_pid_stat(kw, &s), 0);
	CHECK_STR(s.comm, "kworker/u4:2-events_unbound");
	CHECK_EQ_I64(s.state, 'D');
	CHECK_EQ_U64(s.stime, 36);
	/* truncated or malformed */
	CHECK_EQ_I64(procfs_parse_pid_stat("12 (x) S 1 2", &s), -1);
	CHECK_EQ_I64(procfs_parse_pid_stat("12 (x S 1 2 3 4 5 6 7 8 9 10 11 12", &s), -1);
	CHECK_EQ_I64(procfs_parse_pid_stat("(x) S 1 2 3 4 5 6 7 8 9 10 11", &s), -1);
	CHECK_EQ_I64(procfs_parse_pid_stat("12 (x)", &s), -1);
	free(odd);
	free(kw);
}

TEST(procfs_pid_status_wchan)
{
	char *buf = unit_read_fixture("procfs_pid_status.txt", NULL);
	struct procfs_pid_status s;
	char w[32];

	if (!buf)
		return;
	CHECK_EQ_I64(procfs_parse_pid_status(buf, &s), 0);
	CHECK_STR(s.name, "cp");
	CHECK_EQ_I64(s.state, 'R');
	CHECK_EQ_I64(s.pid, 16986);
	CHECK_EQ_I64(s.ppid, 16973);
	CHECK_EQ_U64(s.uid, 0);
	CHECK_EQ_U64(s.vm_rss_kb, 2168);
	CHECK_EQ_U64(s.threads, 1);
	CHECK_EQ_I64(procfs_parse_pid_status("Name:\tmy prog (x)\nState:\tD (disk sleep)\n", &s), 0);
	CHECK_STR(s.name, "my prog (x)");
	CHECK_EQ_I64(s.state, 'D');

	CHECK_EQ_I64(procfs_parse_wchan("io_schedule", w, sizeof(w)), 0);
	CHECK_STR(w, "io_schedule");
	CHECK_EQ_I64(procfs_parse_wchan("0", w, sizeof(w)), -1);
	CHECK_STR(w, "");
	CHECK_EQ_I64(procfs_parse_wchan("", w, sizeof(w)), -1);
	CHECK_EQ_I64(procfs_parse_wchan("a_very_long_kernel_function_name_beyond_the_buffer", w, 8), 0);
	CHECK_STR(w, "a_very_");
	free(buf);
}

TEST(procfs_kmsg_record)
{
	size_t len;
	char *buf = unit_read_fixture("procfs_kmsg.txt", &len);
	struct procfs_kmsg k;

	if (!buf)
		return;
	CHECK_EQ_I64(procfs_parse_kmsg(buf, len, &k), 0);
	CHECK_EQ_U64(k.level, 3);
	CHECK_EQ_U64(k.facility, 0);
	CHECK_EQ_U64(k.seq, 1234);
	CHECK_EQ_U64(k.ts_usec, 5000000);
	CHECK_STR(k.text, "Out of memory: Killed process 4242 (hog) total-vm:1000kB, anon-rss:900kB");
	/* user-space writers get facility 1; extra header fields after the flags */
	CHECK_EQ_I64(procfs_parse_kmsg("14,5,6,-,caller=T1;hi", 21, &k), 0);
	CHECK_EQ_U64(k.facility, 1);
	CHECK_EQ_U64(k.level, 6);
	CHECK_STR(k.text, "hi");
	CHECK_EQ_I64(procfs_parse_kmsg("no header", 9, &k), -1);
	CHECK_EQ_I64(procfs_parse_kmsg("6,x,1,-;t", 9, &k), -1);
	free(buf);
}

TEST(procfs_read_files)
{
	char buf[16];
	int64_t v;
	size_t len;
	char *big;

	CHECK(procfs_read_file("/proc/self/stat", buf, sizeof(buf)) == 15);
	CHECK(strlen(buf) == 15);
	CHECK(procfs_read_file("/nonexistent/file", buf, sizeof(buf)) < 0);
	big = procfs_read_alloc("/proc/self/maps", &len);
	CHECK(big && len > 0 && strlen(big) == len);
	free(big);
	CHECK(procfs_read_alloc("/nonexistent/file", &len) == NULL);
	CHECK_EQ_I64(procfs_read_i64("/proc/sys/kernel/pid_max", &v), 0);
	CHECK(v > 0);
	CHECK_EQ_I64(procfs_read_i64("/proc/self/comm", &v), -1);
}
