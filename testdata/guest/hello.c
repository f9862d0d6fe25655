/* hello: output through stdio and the exit status. */
#include "guest.h"

int main(int argc, char **argv)
{
	printf("hello, world\n");
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	fprintf(stderr, "to stderr\n");
	return 3;
}
