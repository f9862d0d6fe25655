/* misc: uname, sysinfo, getrandom, prctl, arch_prctl, sched affinity,
 * umask and getcpu. */
#include "guest.h"
#include <sched.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	CHECK(uname(&u));
	say("sysname %s machine %s\n", u.sysname, u.machine);
	CHECK(uname(badptr()));
	struct sysinfo si;
	CHECK(sysinfo(&si));
	say("totalram>0 %d freeram<=totalram %d mem_unit %u procs>=1 %d\n", si.totalram > 0, si.freeram <= si.totalram,
	    si.mem_unit, si.procs >= 1);

	unsigned char buf[64];
	CHECK(syscall(SYS_getrandom, buf, 64, 0));
	CHECK(syscall(SYS_getrandom, buf, 16, 1));
	CHECK(syscall(SYS_getrandom, buf, 16, 0x100));
	CHECK(syscall(SYS_getrandom, buf, 0, 0));
	CHECK(syscall(SYS_getrandom, badptr(), 16, 0));

	char name[32];
	CHECK(prctl(PR_SET_NAME, "renamed-process-long-name"));
	CHECK(prctl(PR_GET_NAME, name));
	say("name \"%s\"\n", name);
	CHECK(prctl(PR_GET_DUMPABLE));
	CHECK(prctl(PR_SET_DUMPABLE, 0));
	CHECK(prctl(PR_GET_DUMPABLE));
	CHECK(prctl(PR_SET_DUMPABLE, 5));
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	CHECK(prctl(12345));

	unsigned long fs;
	CHECK(syscall(SYS_arch_prctl, 0x1003, &fs));
	say("FS base set: %d\n", fs != 0);
	CHECK(syscall(SYS_arch_prctl, 0x9999, &fs));

	cpu_set_t set;
	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof set, &set));
	say("at least one cpu: %d\n", CPU_COUNT(&set) >= 1);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(0, sizeof set, &set));
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof set, &set);
	say("now cpus: %d first %d\n", CPU_COUNT(&set), (int)CPU_ISSET(0, &set));
	CPU_ZERO(&set);
	CHECK(sched_setaffinity(0, sizeof set, &set));
	CHECK(sched_getaffinity(0, 1, &set));
	CHECK(sched_yield());
	unsigned cpu, node;
	CHECK(syscall(SYS_getcpu, &cpu, &node, NULL));
	say("nprocs conf>=1: %d\n", sysconf(_SC_NPROCESSORS_CONF) >= 1);
	return 0;
}
