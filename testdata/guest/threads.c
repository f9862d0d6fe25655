/* threads: eight pthreads sharing counters under a mutex, a condition
 * variable queue (musl requeues waiters with FUTEX_REQUEUE), a barrier,
 * thread-local storage, joins with return values, detached threads,
 * gettid, robust mutexes whose owner died, tgkill to one thread and
 * exit_group from a thread. */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#define N 8
#define ROUNDS 2000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;
static long counter;
static int queue[64], qhead, qtail, done_producing;
static __thread int tls = 100;
static __thread char tls_buf[64];
static int tids_distinct[N];
static pid_t tids[N];

static void *worker(void *arg)
{
	long id = (long)arg;
	tls += id;
	snprintf(tls_buf, sizeof tls_buf, "thread %ld", id);
	tids[id] = syscall(SYS_gettid);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
		if (i % 500 == 0)
			sched_yield();
	}
	/* Everyone meets here; exactly one gets the serial return. */
	int r = pthread_barrier_wait(&bar);
	/* Consume the queue until the producer is done. */
	long sum = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qhead == qtail && !done_producing)
			pthread_cond_wait(&cv, &mu);
		if (qhead == qtail && done_producing) {
			pthread_mutex_unlock(&mu);
			break;
		}
		sum += queue[qhead++ % 64];
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	char expect[64];
	snprintf(expect, sizeof expect, "thread %ld", id);
	int ok = tls == 100 + id && strcmp(tls_buf, expect) == 0;
	return (void *)(sum << 8 | (r == PTHREAD_BARRIER_SERIAL_THREAD) << 1 | ok);
}

static pthread_mutex_t robust;
static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL;
}

static volatile int usr1_tid;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = syscall(SYS_gettid);
}

static pid_t waiter_tid;
static volatile int waiter_ready;
static void *waiter(void *arg)
{
	(void)arg;
	waiter_tid = syscall(SYS_gettid);
	waiter_ready = 1;
	for (int i = 0; i < 200 && !usr1_tid; i++)
		msleep(5);
	return NULL;
}

static void *exiter(void *arg)
{
	(void)arg;
	msleep(20);
	exit(7);
}

/* spinner never makes a syscall: only preemption lets the others run. */
static void *spinner(void *arg)
{
	for (;;)
		;
	return arg;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_t th[N];
	pthread_barrier_init(&bar, NULL, N);
	for (long i = 0; i < N; i++)
		MUST(pthread_create(&th[i], NULL, worker, (void *)i) == 0 ? 0 : -1);
	long total = 0;
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&mu);
		while (qtail - qhead == 64)
			pthread_cond_wait(&cv, &mu);
		queue[qtail++ % 64] = i;
		total += i;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done_producing = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	long sum = 0;
	int serial = 0, tls_ok = 0;
	for (int i = 0; i < N; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		long r = (long)ret;
		sum += r >> 8;
		serial += (r >> 1) & 1;
		tls_ok += r & 1;
	}
	say("counter %ld (want %d)\n", counter, N * ROUNDS);
	say("queue sum %ld (want %ld)\n", sum, total);
	say("barrier serial threads %d, tls ok %d, main tls %d\n", serial, tls_ok, tls);
	int distinct = 1;
	for (int i = 0; i < N; i++) {
		if (tids[i] == getpid())
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = 0;
	}
	say("thread ids distinct from each other and the pid: %d\n", distinct);
	(void)tids_distinct;

	/* A detached thread, and joining it is refused. */
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_t d;
	pthread_create(&d, &at, die_holding, NULL);

	/* A robust mutex whose owner exits: the next locker gets EOWNERDEAD
	 * and may make it consistent. */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	msleep(50); /* the detached thread took the mutex and exited */
	pthread_t r;
	pthread_create(&r, NULL, die_holding, NULL);
	pthread_join(r, NULL);
	int e = pthread_mutex_lock(&robust);
	say("lock after owner died: %s\n", e == EOWNERDEAD ? "EOWNERDEAD" : errname(e));
	say("consistent: %d\n", pthread_mutex_consistent(&robust));
	say("unlock: %d\n", pthread_mutex_unlock(&robust));
	say("relock: %d\n", pthread_mutex_lock(&robust));
	pthread_mutex_unlock(&robust);

	/* A robust mutex left inconsistent becomes unrecoverable. */
	pthread_mutex_t r2;
	pthread_mutex_init(&r2, &ma);
	pthread_mutex_t *save = &robust;
	(void)save;
	pthread_create(&r, NULL, die_holding, NULL);
	pthread_join(r, NULL);
	e = pthread_mutex_lock(&robust);
	say("second death: %s\n", e == EOWNERDEAD ? "EOWNERDEAD" : errname(e));
	pthread_mutex_unlock(&robust);
	e = pthread_mutex_lock(&robust);
	say("after unlock without consistent: %s\n", e == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : errname(e));

	/* tgkill reaches exactly the thread named. */
	signal(SIGUSR1, on_usr1);
	pthread_t w;
	pthread_create(&w, NULL, waiter, NULL);
	while (!waiter_ready)
		msleep(1);
	CHECK(syscall(SYS_tgkill, getpid(), waiter_tid, SIGUSR1));
	pthread_join(w, NULL);
	say("handled on the target thread: %d\n", usr1_tid == waiter_tid);
	/* A joined thread may linger in the kernel for a moment after it
	 * cleared its tid: wait for it to go. */
	int gone = 0;
	for (int i = 0; i < 1000 && !gone; i++) {
		gone = syscall(SYS_tgkill, getpid(), waiter_tid, 0) < 0 && errno == ESRCH;
		if (!gone)
			msleep(1);
	}
	say("a joined thread's id is gone: %d\n", gone);

	/* exit from a thread ends the whole process, spinning siblings
	 * included; fork gives the child only the calling thread. */
	pid_t p = fork();
	if (p == 0) {
		pthread_t s, x;
		pthread_create(&s, NULL, spinner, NULL);
		pthread_create(&x, NULL, exiter, NULL);
		pthread_join(s, NULL);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	say("exit from a thread: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
	p = fork();
	if (p == 0) {
		pthread_t s;
		pthread_create(&s, NULL, spinner, NULL);
		pid_t q = fork();
		if (q == 0)
			_exit(3); /* only this thread exists in the grandchild */
		int st2;
		waitpid(q, &st2, 0);
		_exit(WEXITSTATUS(st2) + 10);
	}
	waitpid(p, &st, 0);
	say("fork from a threaded process: %d\n", WEXITSTATUS(st));
	return 0;
}
