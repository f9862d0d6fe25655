/* nosys: a system call number Linux has no call for fails with ENOSYS
 * and nothing else happens (paddock says so only when asked, with
 * --verbose or --log). */
#include "guest.h"

int main(void)
{
	CHECK(syscall(1000));
	CHECK(syscall(-1L));
	return 0;
}
