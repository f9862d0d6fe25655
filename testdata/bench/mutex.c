/* mutex: two threads hand a token back and forth N times under a
 * pthread mutex and condition variable: the cost of futex waits and
 * wake-ups between threads of one process. */
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long turn, n;

static void *player(void *arg)
{
	long me = (long)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&mu);
		while (turn % 2 != me)
			pthread_cond_wait(&cv, &mu);
		turn++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	n = argc > 1 ? atol(argv[1]) : 100000;
	pthread_t t;
	pthread_create(&t, NULL, player, (void *)1);
	player((void *)0);
	pthread_join(t, NULL);
	return turn == 2 * n ? 0 : 1;
}
