/* mmapfile: private file mappings. */
#include "guest.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char buf[8192];
	for (int i = 0; i < 8192; i++)
		buf[i] = 'A' + i % 26;
	MUST(write(fd, buf, 6000));
	char *m = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	say("mapped: %d first %c at 5999 %c past end zero %d\n", m != MAP_FAILED, m[0], m[5999], m[6000] == 0);
	char *o = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, pg);
	say("offset mapping starts with %c (want %c)\n", o[0], 'A' + (int)(pg % 26));
	char *w = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	w[0] = 'z';
	char c;
	pread(fd, &c, 1, 0);
	say("private write stays private: file has %c, mapping %c\n", c, w[0]);
	int ro = open("f", O_RDONLY);
	char *rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	say("private writable mapping of a read-only fd: %d\n", rw != MAP_FAILED);
	int wo = open("f", O_WRONLY);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED ? -1 : 0);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 3) == MAP_FAILED ? -1 : 0);
	char *sh = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	say("read-only shared mapping: %d %c\n", sh != MAP_FAILED, sh != MAP_FAILED ? sh[1] : '-');
	int p[2];
	pipe(p);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED ? -1 : 0);
	int z = open("/dev/zero", O_RDWR);
	char *zm = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	say("/dev/zero mapping: %d %d\n", zm != MAP_FAILED, zm != MAP_FAILED ? zm[10] : -1);
	close(fd);
	say("mapping survives close: %c\n", m[1]);
	return 0;
}
