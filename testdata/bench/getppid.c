/* getppid: N getppid syscalls, to measure the cost of one round trip. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long s = 0;
	for (long i = 0; i < n; i++)
		s += syscall(SYS_getppid);
	return s == -1;
}
