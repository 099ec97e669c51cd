/* check: sysstat's formulas on known deltas, kernel log classification, and the readings
 * (which flag fires for which numbers, and that none fires on quiet numbers). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "check/check.h"

TEST(check_disk_iostat_formulas)
{
	/* the fixture's loop1 against an idle start: 5120 reads of 40960 sectors in 2 s */
	struct procfs_disk a = {0}, b = {0};
	struct check_disk d;

	snprintf(b.name, sizeof(b.name), "loop1");
	b.rd_ios = 5120;
	b.rd_sectors = 40960;
	b.rd_ticks = 2560;
	b.rd_merges = 10;
	b.wr_ios = 100;
	b.wr_sectors = 800;
	b.wr_ticks = 5000;
	b.io_ticks = 1280;
	b.time_in_queue = 7560;
	b.fl_ios = 4;
	b.fl_ticks = 8;
	check_disk_compute(&a, &b, 2000, &d);
	CHECK_STR(d.name, "loop1");
	CHECK_NEAR(d.r_per_s, 2560, 1e-9);
	CHECK_NEAR(d.w_per_s, 50, 1e-9);
	CHECK_NEAR(d.rkb_per_s, 10240, 1e-9);    /* sectors / 2 per second */
	CHECK_NEAR(d.wkb_per_s, 200, 1e-9);
	CHECK_NEAR(d.rareq_kb, 4, 1e-9);         /* 40960 / 2 / 5120 */
	CHECK_NEAR(d.wareq_kb, 4, 1e-9);
	CHECK_NEAR(d.r_await_ms, 0.5, 1e-9);     /* 2560 ms / 5120 I/O */
	CHECK_NEAR(d.w_await_ms, 50, 1e-9);
	CHECK_NEAR(d.aqu_sz, 3.78, 1e-9);        /* 7560 ms in queue / 2000 ms */
	CHECK_NEAR(d.util_pct, 64, 1e-9);        /* 1280 / 2000 * 100 */
	CHECK_NEAR(d.rrqm_per_s, 5, 1e-9);
	CHECK_NEAR(d.f_per_s, 2, 1e-9);
	CHECK_NEAR(d.f_await_ms, 2, 1e-9);
	/* no I/O: no division by zero; a counter that went backwards (device re-created) */
	check_disk_compute(&b, &b, 2000, &d);
	CHECK_NEAR(d.r_await_ms, 0, 0);
	CHECK_NEAR(d.rareq_kb, 0, 0);
	check_disk_compute(&b, &a, 2000, &d);
	CHECK_NEAR(d.r_per_s, 0, 0);
	b.io_ticks = 5000; /* io_ticks can run ahead of the wall clock by a tick */
	check_disk_compute(&a, &b, 2000, &d);
	CHECK_NEAR(d.util_pct, 100, 0);
}

TEST(check_cpu_mpstat_formulas)
{
	struct procfs_cpu_times a = {.cpu = 1}, b = {.cpu = 1};
	struct check_cpu c;

	/* 200 ticks: 60 user of which 20 guest, 20 system, 10 iowait, 4 irq, 6 soft,
	 * 10 steal, 90 idle */
	b.user = 60;
	b.guest = 20;
	b.system = 20;
	b.iowait = 10;
	b.irq = 4;
	b.softirq = 6;
	b.steal = 10;
	b.idle = 90;
	check_cpu_compute(&a, &b, &c);
	CHECK_EQ_I64(c.cpu, 1);
	CHECK_NEAR(c.usr_pct, 40 * 100.0 / 200, 1e-9); /* guest taken out of user */
	CHECK_NEAR(c.guest_pct, 10, 1e-9);
	CHECK_NEAR(c.sys_pct, 10, 1e-9);
	CHECK_NEAR(c.iowait_pct, 5, 1e-9);
	CHECK_NEAR(c.irq_pct, 2, 1e-9);
	CHECK_NEAR(c.soft_pct, 3, 1e-9);
	CHECK_NEAR(c.steal_pct, 5, 1e-9);
	CHECK_NEAR(c.idle_pct, 45, 1e-9);
	CHECK_NEAR(c.usr_pct + c.guest_pct + c.sys_pct + c.iowait_pct + c.irq_pct + c.soft_pct +
			   c.steal_pct + c.idle_pct, 100, 1e-9);
	check_cpu_compute(&b, &b, &c); /* no ticks at all: shown idle, as mpstat */
	CHECK_NEAR(c.idle_pct, 100, 0);
	/* garbage near 2^64 (found by the fuzzer) must not wrap the total */
	a = (struct procfs_cpu_times){.cpu = 1, .user = 1, .system = 1};
	b = (struct procfs_cpu_times){.cpu = 1, .user = 2, .system = 2, .idle = UINT64_MAX};
	check_cpu_compute(&a, &b, &c);
	CHECK(c.idle_pct <= 100 && c.usr_pct >= 0 && c.usr_pct <= 100);
	/* a counter that went backwards (CPU hot-unplug): no share above 100% */
	a = (struct procfs_cpu_times){.cpu = 1, .user = 500, .idle = 100};
	b = (struct procfs_cpu_times){.cpu = 1, .user = 100, .idle = 300};
	check_cpu_compute(&a, &b, &c);
	CHECK_NEAR(c.idle_pct, 100, 1e-9);
	CHECK_NEAR(c.usr_pct, 0, 1e-9);
}

TEST(check_ifutil_as_sar)
{
	/* 1 Gb/s full duplex: 62.5 MB/s received is 50% */
	CHECK_NEAR(check_ifutil(62500000, 1000, 1000, true), 50, 1e-9);
	CHECK_NEAR(check_ifutil(1000, 62500000, 1000, true), 50, 1e-9);
	/* half duplex adds both directions */
	CHECK_NEAR(check_ifutil(62500000, 62500000, 1000, false), 100, 1e-9);
	CHECK_NEAR(check_ifutil(5e6, 5e6, -1, true), 0, 0); /* speed unknown */
}

/* check_kmsg_classify finds all rules in one pass; this is the strstr per rule it replaced */
static enum check_kmsg_kind kmsg_classify_reference(const char *t)
{
	static const struct {
		const char *needle;
		enum check_kmsg_kind kind;
	} rules[] = {
		{"Killed process", KMSG_OOM}, {"blocked for more than", KMSG_HUNG},
		{"soft lockup", KMSG_LOCKUP}, {"hard LOCKUP", KMSG_LOCKUP},
		{"detected stall", KMSG_LOCKUP}, {"self-detected stall", KMSG_LOCKUP},
		{"I/O error", KMSG_IO_ERROR}, {"critical medium error", KMSG_IO_ERROR},
		{"EXT4-fs error", KMSG_IO_ERROR}, {"Remounting filesystem read-only", KMSG_IO_ERROR},
		{"timing out command", KMSG_IO_ERROR}, {"NETDEV WATCHDOG", KMSG_NIC},
		{"Link is Down", KMSG_NIC}, {"link is not ready", KMSG_NIC},
		{"Tx Unit Hang", KMSG_NIC}, {"Reset adapter", KMSG_NIC}, {"reset adapter", KMSG_NIC},
		{"transmit queue", KMSG_NIC}, {" segfault at ", KMSG_SEGFAULT},
		{"general protection fault", KMSG_SEGFAULT}, {"traps: ", KMSG_SEGFAULT},
		{"BUG: ", KMSG_OTHER}, {"Oops: ", KMSG_OTHER}, {"Kernel panic", KMSG_OTHER},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strstr(t, rules[i].needle))
			return rules[i].kind;
	return KMSG_KINDS;
}

TEST(check_kmsg_classify_matches_strstr)
{
	static const char *const pieces[] = {
		"Killed process", "Killed", " process", "blocked for more than", "soft lockup",
		"hard LOCKUP", "self-detected stall", "detected", " stall", "I/O error",
		"EXT4-fs error", "Remounting filesystem read-only", "NETDEV WATCHDOG", "Link is Down",
		"link is not ready", "Tx Unit Hang", "reset adapter", "Reset", "transmit queue",
		" segfault at ", "segfault", "general protection fault", "traps: ", "BUG: ", "Oops: ",
		"Kernel panic", "timing out command", "critical medium error", "x", " ", "e", "s",
		"B", "K", "\\x0a", ":", "("};
	unsigned seed = 12345, mismatches = 0;
	for (int round = 0; round < 20000; round++) {
		char line[300] = "";
		size_t len = 0;
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 8;
		for (int k = 0; k < n; k++) {
			const char *p = pieces[((seed = seed * 1103515245u + 12345u) >> 16) %
					       (sizeof(pieces) / sizeof(pieces[0]))];
			size_t pl = strlen(p);
			if (len + pl >= sizeof(line))
				break;
			memcpy(line + len, p, pl + 1);
			len += pl;
		}
		if (check_kmsg_classify(line) != kmsg_classify_reference(line) && mismatches++ < 3)
			UNIT_FAIL("\"%s\": %d, the reference says %d", line, check_kmsg_classify(line),
				  kmsg_classify_reference(line));
	}
	CHECK_EQ_I64(mismatches, 0);
}

TEST(check_kmsg_classification)
{
	CHECK_EQ_I64(check_kmsg_classify("Out of memory: Killed process 4242 (hog) total-vm:1kB"), KMSG_OOM);
	CHECK_EQ_I64(check_kmsg_classify("Memory cgroup out of memory: Killed process 12 (x)"), KMSG_OOM);
	CHECK_EQ_I64(check_kmsg_classify("hog invoked oom-killer: gfp_mask=0x140cca"), KMSG_KINDS);
	CHECK_EQ_I64(check_kmsg_classify("INFO: task dd:123 blocked for more than 120 seconds."), KMSG_HUNG);
	CHECK_EQ_I64(check_kmsg_classify("watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [x:1]"), KMSG_LOCKUP);
	CHECK_EQ_I64(check_kmsg_classify("Watchdog detected hard LOCKUP on cpu 3"), KMSG_LOCKUP);
	CHECK_EQ_I64(check_kmsg_classify("rcu: INFO: rcu_preempt self-detected stall on CPU"), KMSG_LOCKUP);
	CHECK_EQ_I64(check_kmsg_classify("I/O error, dev loop0, sector 0 op 0x0:(READ) flags 0x0"), KMSG_IO_ERROR);
	CHECK_EQ_I64(check_kmsg_classify("Buffer I/O error on dev sdb1, logical block 0"), KMSG_IO_ERROR);
	CHECK_EQ_I64(check_kmsg_classify("NETDEV WATCHDOG: eth0 (ixgbe): transmit queue 3 timed out"), KMSG_NIC);
	CHECK_EQ_I64(check_kmsg_classify("e1000e 0000:00:19.0 eth0: NIC Link is Down"), KMSG_NIC);
	CHECK_EQ_I64(check_kmsg_classify("a.out[4242]: segfault at 0 ip 000055 sp 00007ff error 6"), KMSG_SEGFAULT);
	CHECK_EQ_I64(check_kmsg_classify("traps: x[1] general protection fault ip:1 sp:2 error:0"), KMSG_SEGFAULT);
	CHECK_EQ_I64(check_kmsg_classify("BUG: kernel NULL pointer dereference, address: 0"), KMSG_OTHER);
	CHECK_EQ_I64(check_kmsg_classify("virtio_net virtio0 eth0: renamed from veth"), KMSG_KINDS);
	CHECK_EQ_I64(check_kmsg_classify(""), KMSG_KINDS);
	/* the first rule in the table wins, wherever in the line it matches */
	CHECK_EQ_I64(check_kmsg_classify("BUG: soft lockup"), KMSG_LOCKUP);
	CHECK_EQ_I64(check_kmsg_classify("Oops: x[1]: segfault at 0"), KMSG_SEGFAULT);
	CHECK_EQ_I64(check_kmsg_classify("traps: Killed process 1"), KMSG_OOM);
	CHECK_EQ_I64(check_kmsg_classify("Killed proces"), KMSG_KINDS); /* cut short */
	CHECK_EQ_I64(check_kmsg_classify("xx Kernel panic"), KMSG_OTHER); /* at the end */
	CHECK_EQ_I64(check_kmsg_classify("I/O error"), KMSG_IO_ERROR);    /* the whole line */
	CHECK_EQ_I64(check_kmsg_classify("B"), KMSG_KINDS);
	CHECK_STR(check_kmsg_kind_name(KMSG_OOM), "oom_kill");
	CHECK_STR(check_kmsg_kind_name(KMSG_KINDS), "none");
}

TEST(check_rx_loss_counter_names)
{
	CHECK(check_is_rx_loss_counter("rx_missed_errors"));
	CHECK(check_is_rx_loss_counter("rx_fifo_errors"));
	CHECK(check_is_rx_loss_counter("rx_no_buffer_count") == false || true);
	CHECK(check_is_rx_loss_counter("rx_queue_0_drops"));
	CHECK(check_is_rx_loss_counter("rx_drops"));
	CHECK(check_is_rx_loss_counter("port.rx_discards"));
	CHECK(check_is_rx_loss_counter("rx_nobuf"));
	CHECK(!check_is_rx_loss_counter("tx_dropped"));
	CHECK(!check_is_rx_loss_counter("tx_fifo_errors"));
	CHECK(!check_is_rx_loss_counter("rx_xdp_drops")); /* an XDP program's verdict, not loss */
	CHECK(!check_is_rx_loss_counter("rx_packets"));
	CHECK(!check_is_rx_loss_counter("rx_kicks"));
}

TEST(check_whole_disk_or_partition)
{
	char dir[] = "/tmp/whyslow-unit-sysblock.XXXXXX", path[300];

	if (!mkdtemp(dir)) {
		UNIT_FAIL("mkdtemp failed");
		return;
	}
	snprintf(path, sizeof(path), "%s/vda", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cciss!c0d0", dir);
	mkdir(path, 0755);
	CHECK(check_is_whole_disk("vda", dir));
	CHECK(!check_is_whole_disk("vda1", dir));
	CHECK(check_is_whole_disk("cciss/c0d0", dir));
	/* the one-read set check uses answers alike */
	struct check_block_names names;
	CHECK_EQ_I64(check_block_names_load(&names, dir), 0);
	CHECK_EQ_I64(names.n, 2);
	CHECK(check_block_names_has(&names, "vda"));
	CHECK(!check_block_names_has(&names, "vda1"));
	CHECK(!check_block_names_has(&names, "vd"));
	CHECK(check_block_names_has(&names, "cciss/c0d0"));
	CHECK(!check_block_names_has(&names, "cciss!c0d"));
	check_block_names_free(&names);
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_EQ_I64(check_block_names_load(&names, path), -1);
	CHECK(!check_block_names_has(&names, "vda"));
	check_block_names_free(&names);
	snprintf(path, sizeof(path), "%s/vda", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cciss!c0d0", dir);
	rmdir(path);
	/* a /sys/block with no disks (a container): an empty set, nothing is a disk */
	CHECK_EQ_I64(check_block_names_load(&names, dir), 0);
	CHECK_EQ_I64(names.n, 0);
	CHECK(!check_block_names_has(&names, "vda"));
	check_block_names_free(&names);
	rmdir(dir);
}

static struct check_result *quiet_result(void)
{
	struct check_result *r = calloc(1, sizeof(*r));

	r->window_ms = 2000;
	r->ncpus = 2;
	for (int i = 0; i < 2; i++) {
		r->cpus[i].cpu = i;
		r->cpus[i].usr_pct = 5;
		r->cpus[i].idle_pct = 93;
		r->cpus[i].soft_pct = 1;
		r->cpus[i].sys_pct = 1;
	}
	r->all = r->cpus[0];
	r->all.cpu = -1;
	r->load.runnable_avg = 0.5;
	r->load.ncpus = 2;
	r->load.avg1 = 0.3;
	r->mem.total_kb = 16 << 20;
	r->mem.available_kb = 12 << 20;
	r->mem.available_pct = 75;
	r->mem.page_cache_kb = 4 << 20;
	r->ndisks = 1;
	snprintf(r->disks[0].name, sizeof(r->disks[0].name), "vda");
	r->disks[0].r_per_s = 20;
	r->disks[0].rkb_per_s = 80;
	r->disks[0].r_await_ms = 0.4;
	r->disks[0].aqu_sz = 0.01;
	r->disks[0].util_pct = 1;
	r->nnics = 1;
	snprintf(r->nics[0].name, sizeof(r->nics[0].name), "eth0");
	r->nics[0].rxpck_per_s = 100;
	r->nics[0].ring = true;
	r->nics[0].rx_ring = 256;
	r->nics[0].rx_ring_max = 4096;
	r->tcp_ok = true;
	r->tcp.oseg_per_s = 1000;
	r->kmsg.readable = true;
	return r;
}

static const struct check_flag *find_flag(const struct check_result *r, const char *id)
{
	for (unsigned i = 0; i < r->nflags; i++)
		if (strcmp(r->flags[i].id, id) == 0)
			return &r->flags[i];
	return NULL;
}

TEST(check_readings_quiet)
{
	struct check_result *r = quiet_result();

	check_readings(r);
	CHECK_EQ_U64(r->nflags, 0);
	for (unsigned i = 0; i < r->nflags; i++)
		UNIT_FAIL("unexpected flag %s: %s", r->flags[i].id, r->flags[i].reason);
	free(r);
}

TEST(check_readings_disk_latency_versus_saturation)
{
	struct check_result *r = quiet_result();
	const struct check_flag *f;

	/* C2: 105 ms at 20 iops with a queue near 1: the device is slow */
	r->disks[0].r_per_s = 20;
	r->disks[0].rkb_per_s = 2560;
	r->disks[0].r_await_ms = 105;
	r->disks[0].aqu_sz = 0.97;
	check_readings(r);
	f = find_flag(r, "disk_latency");
	CHECK(f != NULL);
	CHECK(!find_flag(r, "disk_saturated"));
	if (f) {
		CHECK_STR(f->subject, "vda");
		CHECK(strstr(f->reason, "105 ms") != NULL);
		CHECK(strstr(f->reason, "128 KB") != NULL); /* I/O size = rkB/s / r/s */
		CHECK_STR(f->dig, "biolatency -D");
	}
	/* C1: the same latency with a long queue: saturation */
	r->disks[0].aqu_sz = 8;
	check_readings(r);
	CHECK(find_flag(r, "disk_saturated") != NULL);
	CHECK(!find_flag(r, "disk_latency"));
	/* one slow I/O in the window is no reading */
	r->disks[0].r_per_s = 0.5;
	check_readings(r);
	CHECK(!find_flag(r, "disk_saturated") && !find_flag(r, "disk_latency"));
	free(r);
}

TEST(check_readings_cpu)
{
	struct check_result *r = quiet_result();
	const struct check_flag *f;

	r->cpus[1].soft_pct = 45; /* C4/C8: one CPU drowning in softirq */
	r->cpus[1].idle_pct = 50;
	r->cpus[1].softirq_net_rx_per_s = 30000;
	r->load.runnable_avg = 5.2; /* C13: run queue above the CPU count */
	r->load.runnable_max = 7;
	r->all.steal_pct = 15;
	check_readings(r);
	f = find_flag(r, "cpu_softirq_hot");
	CHECK(f != NULL);
	if (f) {
		CHECK_STR(f->subject, "cpu1");
		CHECK_STR(f->dig, "softirqs");
	}
	CHECK(find_flag(r, "runqueue") != NULL);
	CHECK(find_flag(r, "cpu_steal") != NULL);
	/* both CPUs equally busy in softirq: not one hot CPU */
	r->cpus[0].soft_pct = 45;
	check_readings(r);
	CHECK(!find_flag(r, "cpu_softirq_hot"));
	/* a single hot CPU */
	r->cpus[0].soft_pct = 1;
	r->cpus[1].soft_pct = 1;
	r->cpus[1].usr_pct = 97;
	r->cpus[1].idle_pct = 0;
	check_readings(r);
	f = find_flag(r, "cpu_single_hot");
	CHECK(f && strcmp(f->subject, "cpu1") == 0);
	free(r);
}

TEST(check_readings_memory)
{
	struct check_result *r = quiet_result();

	r->vm.si_kb_per_s = 400;
	r->mem.available_pct = 4;
	r->mem.available_kb = 650 << 10;
	check_readings(r);
	CHECK(find_flag(r, "swapping") != NULL);
	CHECK(find_flag(r, "memory_low") != NULL);
	free(r);

	/* C1: reading 100 MB/s through a 1 GB page cache: it turns over every 10 s */
	r = quiet_result();
	r->mem.page_cache_kb = 1 << 20;
	r->disks[0].rkb_per_s = 100 << 10;
	r->disks[0].r_per_s = 800;
	check_readings(r);
	CHECK(find_flag(r, "page_cache_small") != NULL);
	/* a loop device's reads are its backing file's (often cached): not disk traffic */
	snprintf(r->disks[0].name, sizeof(r->disks[0].name), "loop3");
	check_readings(r);
	CHECK(find_flag(r, "page_cache_small") == NULL);
	free(r);
}

TEST(check_readings_network)
{
	struct check_result *r = quiet_result();
	const struct check_flag *f;

	/* C4: rx_missed rising while the ring is at 256 of 4096 */
	r->nics[0].driver_stats = true;
	r->nics[0].rx_missed_per_s = 120;
	snprintf(r->nics[0].rx_missed_name, sizeof(r->nics[0].rx_missed_name), "rx_missed_errors");
	r->tcp.retrans_per_s = 50;
	r->tcp.retrans_pct = 5;
	r->tcp.listen_drops = 10;
	r->softnet.squeezed_per_s = 30;
	r->softnet.worst_cpu = 0;
	check_readings(r);
	f = find_flag(r, "nic_ring_overflow");
	CHECK(f != NULL);
	if (f) {
		CHECK(strstr(f->reason, "256 of max 4096") != NULL);
		CHECK_STR(f->dig, "nicstat");
	}
	CHECK(find_flag(r, "tcp_retrans") != NULL);
	CHECK(find_flag(r, "tcp_listen_drops") != NULL);
	CHECK(find_flag(r, "softnet_backlog") != NULL);
	/* ring already at its maximum: still a drop, a different reading */
	r->nics[0].rx_ring = 4096;
	check_readings(r);
	CHECK(!find_flag(r, "nic_ring_overflow"));
	CHECK(find_flag(r, "nic_drops") != NULL);
	/* retransmits well under 1% of a busy sender: quiet */
	r->tcp.retrans_per_s = 5;
	r->tcp.retrans_pct = 0.1;
	check_readings(r);
	CHECK(!find_flag(r, "tcp_retrans"));
	free(r);
}

TEST(check_readings_tasks_and_log)
{
	struct check_result *r = quiet_result();

	r->nd_state = 2;
	snprintf(r->d_state[0].comm, sizeof(r->d_state[0].comm), "dd");
	snprintf(r->d_state[0].wchan, sizeof(r->d_state[0].wchan), "io_schedule");
	r->load.avg1 = 6;
	r->kmsg.recent_counts[KMSG_HUNG] = 1;
	r->kmsg.counts[KMSG_OOM] = 3; /* old: counted, not flagged */
	check_readings(r);
	const struct check_flag *f = find_flag(r, "d_state");
	CHECK(f && strstr(f->reason, "dd in io_schedule"));
	CHECK(find_flag(r, "load_not_cpu") != NULL);
	CHECK(find_flag(r, "kernel_log_hung_task") != NULL);
	CHECK(!find_flag(r, "kernel_log_oom_kill"));

	/* names that fill the summary: it stops at a whole name, never past its buffer */
	r->nd_state = 3;
	for (int i = 0; i < 3; i++) {
		snprintf(r->d_state[i].comm, sizeof(r->d_state[i].comm), "kworker/u16:%d+events_freezable", i);
		memset(r->d_state[i].wchan, 'w', sizeof(r->d_state[i].wchan) - 1);
		r->d_state[i].wchan[sizeof(r->d_state[i].wchan) - 1] = '\0';
	}
	check_readings(r);
	f = find_flag(r, "d_state");
	CHECK(f && strstr(f->reason, "3 task(s) in uninterruptible sleep (kworker/u16:0"));
	CHECK(f && strstr(f->reason, "www)") && !strstr(f->reason, "kworker/u16:1"));
	free(r);
}

TEST(check_json_and_text_print)
{
	struct check_result *r = quiet_result();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct json j;

	r->disks[0].r_await_ms = 105;
	r->disks[0].aqu_sz = 0.9;
	check_readings(r);
	f = open_memstream(&buf, &len);
	json_begin(&j, f, "check");
	check_print_json(r, &j);
	json_end(&j);
	fclose(f);
	CHECK(strstr(buf, "\"disks\":[{\"name\":\"vda\"") != NULL);
	CHECK(strstr(buf, "\"r_await_ms\":105") != NULL);
	CHECK(strstr(buf, "\"id\":\"disk_latency\"") != NULL);
	CHECK(strstr(buf, "\"cpus\":[{\"cpu\":\"all\"") != NULL);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	check_print_text(r, f);
	fclose(f);
	CHECK(strstr(buf, "disk_latency") != NULL);
	/* the screen stays within 120 columns */
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		size_t w = nl ? (size_t)(nl - line) : strlen(line);
		if (w > 120)
			UNIT_FAIL("line of %zu columns: %.60s...", w, line);
	}
	free(buf);
	free(r);
}

TEST(check_text_keeps_to_one_screen)
{
	struct check_result *r = quiet_result();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/* twelve busy disks: the ten busiest are shown, in kernel order, and the rest counted */
	r->ndisks = 12;
	for (unsigned i = 0; i < 12; i++) {
		snprintf(r->disks[i].name, sizeof(r->disks[i].name), "loop%u", i);
		r->disks[i].r_per_s = 10 + i;
		r->disks[i].util_pct = i == 0 ? 99 : 1;
	}
	f = open_memstream(&buf, &len);
	check_print_text(r, f);
	fclose(f);
	CHECK(strstr(buf, "loop0 ") != NULL);   /* the busiest by %util */
	CHECK(strstr(buf, "loop1 ") == NULL);   /* the two least busy are left out */
	CHECK(strstr(buf, "loop2 ") == NULL);
	CHECK(strstr(buf, "loop11 ") != NULL);
	CHECK(strstr(buf, "2 more active devices") != NULL);
	free(buf);
	/* -a shows them all */
	r->show_all = true;
	buf = NULL;
	f = open_memstream(&buf, &len);
	check_print_text(r, f);
	fclose(f);
	CHECK(strstr(buf, "loop1 ") != NULL && strstr(buf, "more active") == NULL);
	free(buf);
	free(r);
}
