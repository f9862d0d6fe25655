/* copy: sendfile, copy_file_range, fsync, fdatasync, fallocate. */
#include "guest.h"
#include <sys/sendfile.h>

int main(void)
{
	char data[10000];
	for (int i = 0; i < 10000; i++)
		data[i] = 'a' + i % 23;
	int in = open("in", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(in, data, sizeof data);
	int out = open("out", O_CREAT | O_RDWR | O_TRUNC, 0644);
	off_t off = 100;
	CHECK(sendfile(out, in, &off, 5000));
	say("offset now %ld, in position %ld\n", (long)off, (long)lseek(in, 0, SEEK_CUR));
	lseek(in, 9000, SEEK_SET);
	CHECK(sendfile(out, in, NULL, 5000));
	say("in position %ld\n", (long)lseek(in, 0, SEEK_CUR));
	struct stat st;
	fstat(out, &st);
	say("out size %ld\n", (long)st.st_size);
	char buf[10];
	pread(out, buf, 5, 0);
	say("starts with %.5s (want %.5s)\n", buf, data + 100);
	int ro = open("in", O_RDONLY);
	CHECK(sendfile(ro, in, NULL, 10));
	CHECK(sendfile(out, 99, NULL, 10));

	int p[2];
	pipe(p);
	CHECK(sendfile(p[1], in, &off, 100));
	char pb[200];
	CHECK(read(p[0], pb, 200));

	loff_t ioff = 0, ooff = 20000;
	CHECK(copy_file_range(in, &ioff, out, &ooff, 3000, 0));
	say("offsets %ld %ld\n", (long)ioff, (long)ooff);
	fstat(out, &st);
	say("out size %ld\n", (long)st.st_size);
	CHECK(copy_file_range(in, &ioff, out, &ooff, 10, 1));
	CHECK(copy_file_range(in, NULL, p[1], NULL, 10, 0));
	MUST(mkdir("d", 0755));
	int d = open("d", O_RDONLY);
	CHECK(copy_file_range(d, NULL, out, NULL, 10, 0));

	CHECK(fsync(out));
	CHECK(fdatasync(out));
	CHECK(fsync(99));
	CHECK(fsync(p[1]));

	int fa = open("fa", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fallocate(fa, 0, 0, 100000));
	fstat(fa, &st);
	say("fallocate size %ld allocated %d\n", (long)st.st_size, st.st_blocks >= 100000 / 512);
	CHECK(fallocate(fa, FALLOC_FL_KEEP_SIZE, 100000, 100000));
	fstat(fa, &st);
	say("keep size %ld\n", (long)st.st_size);
	CHECK(fallocate(fa, 0, -1, 10));
	CHECK(fallocate(fa, 0, 0, 0));
	CHECK(fallocate(ro, 0, 0, 10));
	CHECK(fallocate(p[1], 0, 0, 10));
	CHECK(posix_fallocate(fa, 0, 200000));
	return 0;
}
