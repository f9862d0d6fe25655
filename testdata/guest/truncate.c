/* truncate: truncate and ftruncate grow, shrink and fail. */
#include "guest.h"

int main(void)
{
	struct stat st;
	write_file("f", "0123456789");
	CHECK(truncate("f", 4));
	show_file("f");
	CHECK(truncate("f", 8));
	stat("f", &st);
	say("size %ld\n", (long)st.st_size);
	char buf[16];
	int fd = open("f", O_RDWR);
	CHECK(read(fd, buf, 16));
	say("grown tail is zero: %d\n", buf[4] == 0 && buf[7] == 0);
	CHECK(ftruncate(fd, 0));
	CHECK(fstat(fd, &st));
	say("size %ld\n", (long)st.st_size);
	CHECK(ftruncate(fd, -1));
	CHECK(truncate("f", -1));
	CHECK(truncate("missing", 0));
	MUST(mkdir("d", 0755));
	CHECK(truncate("d", 0));
	int ro = open("f", O_RDONLY);
	CHECK(ftruncate(ro, 0));
	int p[2];
	pipe(p);
	CHECK(ftruncate(p[1], 0));
	CHECK(ftruncate(99, 0));
	int ap = open("f", O_WRONLY | O_APPEND);
	CHECK(ftruncate(ap, 5));
	/* Truncating keeps the file position. */
	write_file("g", "abcdef");
	int g = open("g", O_RDWR);
	lseek(g, 4, SEEK_SET);
	CHECK(ftruncate(g, 2));
	CHECK(lseek(g, 0, SEEK_CUR));
	CHECK(write(g, "Z", 1));
	stat("g", &st);
	say("size %ld\n", (long)st.st_size);
	CHECK(pread(g, buf, 16, 0));
	say("bytes: %d %d %d %d %c\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
	/* A big sparse size. */
	CHECK(truncate("g", 1L << 32));
	stat("g", &st);
	say("size %ld, blocks small: %d\n", (long)st.st_size, st.st_blocks < 64);
	return 0;
}
