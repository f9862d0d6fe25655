/* efault: bad pointers give EFAULT, over-long paths ENAMETOOLONG, and
 * closed descriptors EBADF, without crashing the program. */
#include "guest.h"
#include <sys/mman.h>

int main(void)
{
	char *bad = badptr();
	CHECK(open(bad, O_RDONLY));
	CHECK(mkdir(bad, 0755));
	CHECK(write(1, bad, 10));
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/dev/zero", O_RDONLY);
	CHECK(read(fd, ro, 10));
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(write(1, none, 1));
	/* A path running off the end of readable memory. */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(two, 'a', 4096);
	mprotect(two + 4096, 4096, PROT_NONE);
	CHECK(open(two, O_RDONLY));
	memset(two, 'a', 4095);
	two[4095] = 0;
	CHECK(open(two, O_RDONLY));
	char *path = malloc(5000);
	memset(path, 'b', 4999);
	path[4999] = 0;
	CHECK(open(path, O_RDONLY));
	path[4095] = 0;
	CHECK(open(path, O_RDONLY));
	path[4094] = 0;
	CHECK(open(path, O_RDONLY));
	char name[300];
	memset(name, 'c', 299);
	name[299] = 0;
	CHECK(open(name, O_RDONLY));
	CHECK(mkdir(name, 0755));
	name[255] = 0;
	CHECK(open(name, O_RDONLY));
	name[256] = 'c';
	name[255] = 0;
	CHECK(mkdir(name, 0755));
	CHECK(rmdir(name));
	CHECK(close(42));
	CHECK(fstat(42, NULL));
	CHECK(syscall(SYS_getcwd, bad, 100));
	CHECK(syscall(SYS_getcwd, NULL, 0));
	return 0;
}
