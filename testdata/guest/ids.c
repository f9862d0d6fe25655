/* ids: user, group and process ids, and changing them as root. */
#include "guest.h"
#include <grp.h>

int main(void)
{
	say("pid>0 %d ppid>=0 %d tid==pid %d\n", getpid() > 0, getppid() >= 0, (pid_t)syscall(SYS_gettid) == getpid());
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	say("uid %u euid %u suid %u / %u %u\n", r, e, s, getuid(), geteuid());
	gid_t rg, eg, sg;
	getresgid(&rg, &eg, &sg);
	say("gid %u egid %u sgid %u / %u %u\n", rg, eg, sg, getgid(), getegid());
	gid_t groups[64];
	int n = getgroups(64, groups);
	say("groups: %d\n", n);
	CHECK(getgroups(-1, groups));
	gid_t set[3] = { 10, 20, 30 };
	CHECK(setgroups(3, set));
	n = getgroups(64, groups);
	say("groups now %d: %u %u %u\n", n, groups[0], groups[1], groups[2]);
	CHECK(getgroups(1, groups));
	CHECK(getgroups(0, NULL));
	CHECK(setresgid(5, 6, 7));
	getresgid(&rg, &eg, &sg);
	say("gid %u egid %u sgid %u\n", rg, eg, sg);
	CHECK(setresuid(-1, 1000, -1));
	getresuid(&r, &e, &s);
	say("uid %u euid %u suid %u\n", r, e, s);
	CHECK(setresuid(2000, -1, -1));
	CHECK(seteuid(0));
	CHECK(setreuid(-1, 0));
	getresuid(&r, &e, &s);
	say("uid %u euid %u suid %u\n", r, e, s);
	CHECK(setuid(1000));
	getresuid(&r, &e, &s);
	say("uid %u euid %u suid %u\n", r, e, s);
	CHECK(setuid(0));
	CHECK(setgid(0));
	CHECK(setresuid(1, 1, 1));
	CHECK(setgroups(1, set));
	return 0;
}
