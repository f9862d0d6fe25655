/* brk: the program break grows and shrinks; memory past it is gone. musl's
 * brk() and sbrk(n) refuse to move the break, so this calls the syscall. */
#include "guest.h"

static char *setbrk(char *p) { return (char *)syscall(SYS_brk, p); }

int main(void)
{
	char *b0 = setbrk(0);
	say("break is page aligned at start: %d\n", ((uintptr_t)b0 & 4095) == 0);
	char *b = setbrk(b0 + 10000);
	say("moved by 10000: %d\n", b == b0 + 10000);
	memset(b0, 7, 10000);
	b = setbrk(b0 + 100000);
	say("moved by 100000: %d\n", b == b0 + 100000);
	b0[99999] = 1;
	b = setbrk(b0 + 4096);
	say("shrunk: %d\n", b == b0 + 4096);
	b = setbrk(b0 + 8192);
	say("regrown page zero: %d, kept page: %d\n", b0[5000] == 0, b0[100] == 7);
	say("brk(0) is the current break: %d\n", setbrk(0) == b0 + 8192);
	say("brk(1) fails: %d\n", setbrk((char *)1) == b0 + 8192);
	say("brk(huge) fails: %d\n", setbrk((char *)(1UL << 47)) == b0 + 8192);
	return 0;
}
