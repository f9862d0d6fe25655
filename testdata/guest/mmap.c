/* mmap: anonymous mappings, munmap and mprotect splitting, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, mremap, and their errors. */
#include "guest.h"
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	say("page size %ld\n", pg);
	char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap ok: %d aligned: %d\n", p != MAP_FAILED, ((uintptr_t)p & (pg - 1)) == 0);
	say("fresh memory is zero: %d\n", p[0] == 0 && p[4 * pg - 1] == 0);
	memset(p, 'a', 4 * pg);
	CHECK(munmap(p + pg, pg));
	CHECK(mprotect(p + 2 * pg, pg, PROT_READ));
	say("data kept: %c %c %c\n", p[0], p[2 * pg], p[3 * pg]);
	CHECK(mprotect(p, 4 * pg, PROT_READ));
	CHECK(mprotect(p + 2 * pg, pg, PROT_READ | PROT_WRITE));
	p[2 * pg] = 'b';
	CHECK(mprotect(p + 1, pg, PROT_READ));
	CHECK(mprotect(p, pg, 0x100));
	CHECK(munmap(p + 1, pg));
	CHECK(munmap(p, 0));
	CHECK(munmap(p + pg, pg));

	char *f = mmap(p + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	say("MAP_FIXED into the hole: %d\n", f == p + pg);
	char *g = mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	say("MAP_FIXED_NOREPLACE over a mapping: %s\n", g == MAP_FAILED ? errname(errno) : "mapped");
	char *h = mmap(p, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	say("MAP_FIXED replaces: %d zero: %d\n", h == p, h[0] == 0);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(p + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(NULL, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
	int fd = open(".", O_RDONLY);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);

	/* A hint that is free is honoured. */
	char *hint = (char *)0x200000000000UL;
	char *q = mmap(hint, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("free hint honoured: %d\n", q == hint);

	/* mremap: grow in place, move, shrink. */
	char *r = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(r + pg, "remapped");
	char *r2 = mremap(r, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
	say("mremap grow: ok %d data %s tail zero %d\n", r2 != MAP_FAILED, r2 + pg, r2[64 * pg - 1] == 0);
	char *r3 = mremap(r2, 64 * pg, pg, 0);
	say("mremap shrink in place: %d\n", r3 == r2);
	CHECK(mremap(r3, pg, 2 * pg, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mremap((void *)0x1000, pg, 2 * pg, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
	CHECK(mremap(r3 + 1, pg, 2 * pg, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
	CHECK(mremap(r3, pg, 2 * pg, MREMAP_FIXED) == MAP_FAILED ? -1 : 0);

	/* Shared anonymous memory and madvise. */
	char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[0] = 'S';
	char *t = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t[0] = 'T';
	CHECK(madvise(t, pg, MADV_DONTNEED));
	say("private after DONTNEED: %d\n", t[0]);
	CHECK(madvise(s, pg, MADV_DONTNEED));
	say("shared after DONTNEED: %c\n", s[0]);
	CHECK(madvise(t, pg, 12345));
	CHECK(madvise(t + 1, pg, MADV_NORMAL));
	CHECK(msync(t, pg, MS_SYNC));
	CHECK(msync(t, pg, MS_SYNC | MS_ASYNC));
	unsigned char vec[2];
	CHECK(mincore(t, pg, vec));
	say("resident: %d\n", vec[0] & 1);
	CHECK(mlock(t, pg));
	CHECK(munlock(t, pg));
	return 0;
}
