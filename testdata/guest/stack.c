/* stack: the main stack grows on demand, by recursion and by big frames,
 * including when the kernel is the first to touch a new page. */
#include "guest.h"

static int depth(int n)
{
	volatile char pad[256];
	pad[0] = n;
	if (n == 0)
		return pad[0];
	return depth(n - 1) + 1 + pad[0] * 0;
}

static int bigframe(void)
{
	char buf[2 << 20];
	int fd = open("/dev/zero", O_RDONLY);
	/* read() writes into stack pages nobody touched yet. */
	int n = read(fd, buf, sizeof buf);
	close(fd);
	buf[0] = 1;
	return n;
}

int main(void)
{
	say("recursion depth 20000: %d\n", depth(20000));
	say("read into a 2 MiB stack buffer: %d\n", bigframe());
	return 0;
}
