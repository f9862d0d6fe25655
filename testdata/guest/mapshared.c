/* mapshared: MAP_SHARED file mappings stay coherent with the file and
 * between processes, as sqlite's WAL index needs: stores through a mapping
 * are seen by read(2), by other mappings and by a forked child's; write(2)
 * is seen through the mapping; truncation and regrowth read zeros; the
 * access mode of the descriptor limits the protection. With a path
 * argument, it maps that existing file instead. */
#include "guest.h"
#include <sys/mman.h>

/* existing maps a file that exists already shared and writable, stores
 * into it, and reads the store back through the descriptor and a second
 * descriptor (in paddock, a file of a read-only image is copied into the
 * writable layer for it). */
static int existing(const char *path)
{
	int fd = open(path, O_RDWR);
	MUST(fd);
	struct stat st;
	MUST(fstat(fd, &st));
	char *m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		say("mmap: %s\n", errname(errno));
		return 1;
	}
	say("mapped %ld bytes, first byte %c\n", (long)st.st_size, m[0]);
	m[0] = 'X';
	CHECK(msync(m, st.st_size, MS_SYNC));
	char c = 0;
	CHECK(pread(fd, &c, 1, 0));
	say("read sees %c\n", c);
	int fd2 = open(path, O_RDONLY);
	MUST(fd2);
	CHECK(pread(fd2, &c, 1, 0));
	say("another descriptor sees %c\n", c);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return existing(argv[1]);
	int fd = open("shm", O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(fd);
	CHECK(ftruncate(fd, 8192));
	char *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		say("mmap: %s\n", errname(errno));
		return 1;
	}
	memcpy(a, "through a", 9);
	char buf[32] = {0};
	CHECK(pread(fd, buf, 9, 0));
	say("read sees: %s\n", buf);
	memcpy(a + 4096, "second page", 11);
	say("other mapping sees: %.11s\n", b);
	CHECK(pwrite(fd, "written", 7, 100));
	say("mapping sees write: %.7s\n", a + 100);

	/* A forked child shares the mapping; its stores come back. */
	pid_t c = fork();
	if (c == 0) {
		memcpy(a + 200, "from child", 10);
		int cfd = open("shm", O_RDWR);
		char *cm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		memcpy(cm + 300, "child's own map", 15);
		_exit(0);
	}
	reap(c);
	say("parent sees: %.10s / %.15s\n", a + 200, a + 300);

	/* A private mapping is a copy: its stores stay private. */
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	say("private sees at map time: %.9s\n", p);
	memcpy(p, "PRIVATE", 7);
	say("shared unchanged: %.9s\n", a);
	munmap(p, 4096);

	/* Truncation and regrowth read zeros through the mapping. */
	CHECK(ftruncate(fd, 50));
	CHECK(ftruncate(fd, 8192));
	say("after truncate: [%.9s] byte 100 %d\n", a, a[100]);
	CHECK(msync(a, 8192, MS_SYNC));
	struct stat st;
	fstat(fd, &st);
	say("size %ld\n", (long)st.st_size);

	/* Unmapping one mapping leaves the other and the file intact. */
	memcpy(b, "second page", 11);
	CHECK(munmap(b, 4096));
	say("still there: %.11s\n", a + 4096);
	CHECK(munmap(a, 8192));
	CHECK(pread(fd, buf, 11, 4096));
	say("file keeps: %.11s\n", buf);

	/* The descriptor's access mode limits the protection. */
	int ro = open("shm", O_RDONLY);
	void *r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	say("shared writable on O_RDONLY: %s\n", r == MAP_FAILED ? errname(errno) : "mapped");
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	say("shared read-only on O_RDONLY: %s, sees %.9s\n", r == MAP_FAILED ? errname(errno) : "mapped",
	    r == MAP_FAILED ? "" : (char *)r);
	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	say("private writable on O_RDONLY: %s\n", r == MAP_FAILED ? errname(errno) : "mapped");
	int wo = open("shm", O_WRONLY);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0);
	say("shared on O_WRONLY: %s\n", r == MAP_FAILED ? errname(errno) : "mapped");
	close(ro);
	close(wo);
	close(fd);
	unlink("shm");
	return 0;
}
