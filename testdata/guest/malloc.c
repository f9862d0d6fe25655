/* malloc: musl's allocator exercises brk, mmap, mremap and munmap. */
#include "guest.h"

int main(void)
{
	void *small[1000];
	for (int i = 0; i < 1000; i++) {
		small[i] = malloc(16 + i);
		memset(small[i], i, 16 + i);
	}
	int ok = 1;
	for (int i = 0; i < 1000; i++)
		ok &= ((unsigned char *)small[i])[15 + i] == (unsigned char)i;
	say("small blocks intact: %d\n", ok);
	for (int i = 0; i < 1000; i += 2)
		free(small[i]);
	char *big = malloc(10 << 20);
	memset(big, 1, 10 << 20);
	big = realloc(big, 40 << 20);
	say("big realloc kept data: %d %d\n", big[0] == 1, big[(10 << 20) - 1] == 1);
	memset(big + (10 << 20), 2, 30 << 20);
	big = realloc(big, 1 << 20);
	say("shrunk: %d\n", big[(1 << 20) - 1] == 1);
	free(big);
	long sum = 0;
	for (int round = 0; round < 50; round++) {
		char *v = malloc(200000 + round * 1000);
		v[round] = 1;
		sum += v[round];
		free(v);
	}
	say("sum %ld\n", sum);
	char *c = calloc(1000, 1000);
	long z = 0;
	for (int i = 0; i < 1000000; i++)
		z += c[i];
	say("calloc zero: %d\n", z == 0);
	return 0;
}
