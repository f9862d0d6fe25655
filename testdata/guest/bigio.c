/* bigio: a 16 MiB file written in odd-sized pieces and read back. */
#include "guest.h"

int main(void)
{
	int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	static unsigned char buf[1 << 16];
	unsigned long total = 0, sum = 0;
	unsigned x = 1;
	while (total < (16UL << 20)) {
		size_t n = 1000 + x % 50000;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			buf[i] = x >> 16;
			sum += buf[i];
		}
		if (write(fd, buf, n) != (long)n)
			break;
		total += n;
	}
	say("wrote %lu\n", total);
	lseek(fd, 0, SEEK_SET);
	unsigned long rsum = 0, rtotal = 0;
	long n;
	while ((n = read(fd, buf, 7777)) > 0) {
		for (long i = 0; i < n; i++)
			rsum += buf[i];
		rtotal += n;
	}
	say("read %lu, checksums match %d\n", rtotal, rsum == sum);
	struct stat st;
	fstat(fd, &st);
	say("size %ld\n", (long)st.st_size);
	return 0;
}
