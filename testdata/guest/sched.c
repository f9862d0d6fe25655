/* sched: CPU accounting (getrusage, times, the CPU-time clocks) and the
 * scheduling calls (sched_yield, affinity, nice, getpriority and
 * setpriority, policies and their priority ranges), for root and for an
 * ordinary user. */
#include "guest.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>

static long burn(long ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	volatile long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
	return x;
}

static long tv_ms(struct timeval tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

struct sp { int prio; };

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/* paddock's first process starts at nice 0; a test runner may run the
	 * native side niced. Start from 0, or skip where that is not allowed. */
	if (getpriority(PRIO_PROCESS, 0) != 0 && setpriority(PRIO_PROCESS, 0, 0) != 0) {
		say("started niced, and may not go back to 0\n");
		return 77;
	}

	/* CPU time: a busy loop shows up in every account of it. */
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	burn(200);
	getrusage(RUSAGE_SELF, &r1);
	long used = tv_ms(r1.ru_utime) + tv_ms(r1.ru_stime) - tv_ms(r0.ru_utime) - tv_ms(r0.ru_stime);
	say("rusage grew by about 200 ms: %d\n", used >= 150 && used < 1000);
	struct rusage rt;
	CHECK(getrusage(RUSAGE_THREAD, &rt));
	say("thread time within process time: %d\n", tv_ms(rt.ru_utime) <= tv_ms(r1.ru_utime) + 10);
	CHECK(getrusage(99, &rt));
	CHECK(getrusage(RUSAGE_SELF, badptr()));
	struct timespec pc, tc;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &pc);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &tc);
	say("cpu clocks past 150 ms: %d %d\n", pc.tv_sec > 0 || pc.tv_nsec > 150000000, tc.tv_sec > 0 || tc.tv_nsec > 150000000);

	/* A child's time is ours once we reaped it, not before. */
	struct rusage c0, c1;
	getrusage(RUSAGE_CHILDREN, &c0);
	pid_t k = fork();
	if (k == 0) {
		burn(150);
		_exit(0);
	}
	struct rusage cr;
	int st;
	wait4(k, &st, 0, &cr);
	getrusage(RUSAGE_CHILDREN, &c1);
	long cu = tv_ms(c1.ru_utime) + tv_ms(c1.ru_stime) - tv_ms(c0.ru_utime) - tv_ms(c0.ru_stime);
	say("children's time grew by about 150 ms: %d; wait4's rusage agrees: %d\n", cu >= 100 && cu < 1000,
	    tv_ms(cr.ru_utime) + tv_ms(cr.ru_stime) >= 100);
	struct tms tm;
	clock_t el = times(&tm);
	long hz = sysconf(_SC_CLK_TCK);
	/* User plus system: how the time splits between them is an estimate
	 * on Linux (tick sampling) and in paddock (handler time is measured
	 * by the wall clock, which a loaded host stretches). */
	say("CLK_TCK %ld, times: self %d children %d elapsed %d\n", hz, tm.tms_utime + tm.tms_stime >= 15,
	    tm.tms_cutime + tm.tms_cstime >= 10, el > 0);

	/* sched_yield and affinity. */
	CHECK(sched_yield());
	cpu_set_t set;
	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof set, &set));
	say("affinity CPUs = online CPUs: %d\n", CPU_COUNT(&set) == sysconf(_SC_NPROCESSORS_ONLN));
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(0, sizeof set, &set));
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof set, &set);
	say("pinned: %d CPUs, CPU 0 %d\n", (int)CPU_COUNT(&set), (int)CPU_ISSET(0, &set));
	CPU_ZERO(&set);
	CHECK(sched_setaffinity(0, sizeof set, &set));
	CHECK(syscall(SYS_sched_getaffinity, 0, 1, &set));
	CHECK(sched_getaffinity(999999, sizeof set, &set));

	/* nice and the priorities behind it. */
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0));
	CHECK(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	CHECK(nice(5));
	CHECK(getpriority(PRIO_PROCESS, 0));
	CHECK(setpriority(PRIO_PROCESS, 0, 30));
	CHECK(getpriority(PRIO_PROCESS, 0));
	CHECK(setpriority(PRIO_PROCESS, 0, -3));
	CHECK(getpriority(PRIO_PGRP, 0));
	CHECK(getpriority(PRIO_USER, 4242));
	CHECK(getpriority(9, 0));
	CHECK(getpriority(PRIO_PROCESS, 999999));
	CHECK(setpriority(PRIO_PROCESS, 999999, 1));
	k = fork();
	if (k == 0) {
		_exit(getpriority(PRIO_PROCESS, 0) + 20);
	}
	waitpid(k, &st, 0);
	say("child inherits nice %d\n", WEXITSTATUS(st) - 20);

	/* Policies. */
	CHECK(sched_getscheduler(0));
	struct sp p = { 0 };
	CHECK(syscall(SYS_sched_getparam, 0, &p));
	say("priority %d\n", p.prio);
	CHECK(sched_get_priority_max(SCHED_FIFO));
	CHECK(sched_get_priority_min(SCHED_RR));
	CHECK(sched_get_priority_max(SCHED_OTHER));
	CHECK(sched_get_priority_max(77));
	p.prio = 5;
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
	p.prio = 0;
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &p));
	CHECK(sched_getscheduler(0));
	CHECK(syscall(SYS_sched_setscheduler, 0, 77, &p));
	CHECK(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &p));
	CHECK(syscall(SYS_sched_setscheduler, 999999, SCHED_OTHER, &p));
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p));
	CHECK(sched_getscheduler(0));
	struct timespec slice;
	CHECK(sched_rr_get_interval(999999, &slice));

	/* An ordinary user: lowering nice and real-time policies need
	 * privilege or rlimits. */
	k = fork();
	if (k == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_NICE, &rl);
		setrlimit(RLIMIT_RTPRIO, &rl);
		if (setuid(1000) != 0)
			_exit(99);
		CHECK(setpriority(PRIO_PROCESS, 0, 10));
		CHECK(setpriority(PRIO_PROCESS, 0, 5));
		CHECK(getpriority(PRIO_PROCESS, 0));
		CHECK(setpriority(PRIO_PROCESS, 1, 15));
		p.prio = 10;
		CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p));
		p.prio = 0;
		CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &p));
		CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
		_exit(0);
	}
	waitpid(k, &st, 0);
	say("user child exit %d\n", WEXITSTATUS(st));
	return 0;
}
