/* smc: self-modifying code and the stores around it. A store into code
 * that has run must take effect the next time it runs; code written into
 * a writable page, which has taken many fast stores, runs once the page is
 * made executable; stores that cross a page boundary land whole. These are
 * the correctness conditions of Unicorn's store fast path (patch 0006). */
#include "guest.h"
#include <sys/mman.h>

typedef int (*fn)(void);

/* emit writes "mov eax, v; ret" at p. */
static void emit(unsigned char *p, int v)
{
	p[0] = 0xb8;
	memcpy(p + 1, &v, 4);
	p[5] = 0xc3;
}

int main(void)
{
	/* Code in a writable and executable page, rewritten after it ran. */
	unsigned char *rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rwx == MAP_FAILED) {
		say("mmap: %s\n", errname(errno));
		return 1;
	}
	int sum = 0;
	for (int i = 1; i <= 50; i++) {
		emit(rwx, i);
		sum += ((fn)rwx)();
	}
	say("rewritten 50 times: sum %d\n", sum);
	/* A store next to the code, in the same page, leaves it working. */
	rwx[100] = 0x90;
	say("after a store beside it: %d\n", ((fn)rwx)());

	/* Code written into a plain data page, then made executable. */
	unsigned char *rw = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100000; i++)
			rw[(i * 64) % 8192] = (unsigned char)i;
		emit(rw + 4096, 1000 + round);
		CHECK(mprotect(rw + 4096, 4096, PROT_READ | PROT_EXEC));
		say("round %d returns %d\n", round, ((fn)(rw + 4096))());
		CHECK(mprotect(rw + 4096, 4096, PROT_READ | PROT_WRITE));
	}

	/* A store that crosses into the next page. */
	unsigned long long v = 0x1122334455667788ULL;
	memcpy(rw + 4096 - 3, &v, 8);
	unsigned long long back;
	memcpy(&back, rw + 4096 - 3, 8);
	say("cross-page store: %d\n", back == v);
	volatile unsigned long long *u = (volatile unsigned long long *)(rw + 4096 - 4);
	*u = 0xa1b2c3d4e5f60718ULL;
	say("unaligned cross-page: %d %#x %#x\n", *u == 0xa1b2c3d4e5f60718ULL, rw[4095], rw[4096]);

	/* Many stores to a stack buffer and to the heap read back. */
	char buf[4096];
	long total = 0;
	for (int r = 0; r < 100; r++) {
		for (int i = 0; i < (int)sizeof buf; i++)
			buf[i] = (char)(i + r);
		for (int i = 0; i < (int)sizeof buf; i += 97)
			total += buf[i];
	}
	say("stack stores: %ld\n", total);
	return 0;
}
