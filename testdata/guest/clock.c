/* clock: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep, and their errors. */
#include "guest.h"
#include <sys/time.h>

static long ns(struct timespec t) { return t.tv_sec * 1000000000L + t.tv_nsec; }

int main(void)
{
	struct timespec a, b, r;
	clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
			    CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME };
	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		int e1 = clock_gettime(ids[i], &a);
		int e2 = clock_getres(ids[i], &r);
		say("clock %d: gettime %d getres %d res<=4ms %d\n", ids[i], e1, e2, r.tv_sec == 0 && r.tv_nsec <= 4000000);
	}
	CHECK(clock_gettime(99, &a));
	CHECK(clock_getres(99, &r));
	CHECK(clock_getres(CLOCK_MONOTONIC, NULL));

	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec d = { 0, 30000000 };
	CHECK(nanosleep(&d, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	say("nanosleep slept at least 30ms: %d\n", ns(b) - ns(a) >= 30000000);
	struct timespec bad = { 0, 1000000000 };
	CHECK(nanosleep(&bad, NULL));
	struct timespec neg = { -1, 0 };
	CHECK(nanosleep(&neg, NULL));

	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec until = a;
	until.tv_nsec += 20000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	say("clock_nanosleep abs: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	say("reached the deadline: %d\n", ns(b) >= ns(until));
	say("clock_nanosleep past deadline: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL));
	say("clock_nanosleep bad clock: %d\n", clock_nanosleep(99, 0, &d, NULL));
	say("clock_nanosleep thread cputime: %d\n", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL));

	struct timeval tv;
	CHECK(gettimeofday(&tv, NULL));
	time_t t1 = time(NULL);
	/* glibc's time() reads the coarse clock, which may lag a tick behind
	 * gettimeofday across a second boundary. */
	say("time and gettimeofday agree: %d\n", t1 - tv.tv_sec <= 1 && t1 >= tv.tv_sec - 1);
	clock_gettime(CLOCK_REALTIME, &a);
	say("realtime after 2020: %d\n", a.tv_sec > 1577836800);

	/* CPU time advances when the process computes. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 50000000UL; i++)
		x += i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	say("process CPU time advanced: %d\n", ns(b) > ns(a));
	return 0;
}
