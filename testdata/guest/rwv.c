/* rwv: readv, writev, preadv, pwritev. */
#include "guest.h"
#include <sys/uio.h>

int main(void)
{
	int fd = open("v", O_CREAT | O_RDWR | O_TRUNC, 0644);
	MUST(fd);
	struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	CHECK(writev(fd, w, 3));
	CHECK(lseek(fd, 0, SEEK_CUR));
	char a[2], b[4], c[10];
	struct iovec r[3] = { { a, 2 }, { b, 4 }, { c, 10 } };
	memset(c, 0, sizeof c);
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(readv(fd, r, 3));
	say("%.2s|%.4s|%s\n", a, b, c);
	struct iovec pw[2] = { { "12", 2 }, { "34", 2 } };
	CHECK(pwritev(fd, pw, 2, 6));
	CHECK(lseek(fd, 0, SEEK_CUR));
	memset(c, 0, sizeof c);
	struct iovec pr[1] = { { c, 9 } };
	CHECK(preadv(fd, pr, 1, 0));
	say("%s\n", c);
	CHECK(readv(fd, r, -1));
	CHECK(readv(fd, r, 1025));
	CHECK(writev(fd, w, 0));
	struct iovec bad[1] = { { badptr(), 4 } };
	CHECK(writev(fd, bad, 1));
	CHECK(readv(99, r, 1));
	return 0;
}
