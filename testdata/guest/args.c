/* args: argv, envp and the auxiliary vector as the loader sets them up. */
#include "guest.h"
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv)
{
	say("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		say("argv[%d]=\"%s\"\n", i, argv[i]);
	say("argv[argc] is NULL: %d\n", argv[argc] == NULL);
	say("GUEST_VAR=%s\n", getenv("GUEST_VAR") ? getenv("GUEST_VAR") : "(unset)");
	say("EMPTY_VAR=\"%s\"\n", getenv("EMPTY_VAR") ? getenv("EMPTY_VAR") : "(unset)");
	int n = 0;
	for (char **e = environ; *e; e++)
		n++;
	say("environ has entries: %d\n", n > 0);
	say("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
	say("AT_UID==getuid: %d\n", getauxval(AT_UID) == getuid());
	say("AT_EUID==geteuid: %d\n", getauxval(AT_EUID) == geteuid());
	say("AT_GID==getgid: %d\n", getauxval(AT_GID) == getgid());
	say("AT_EGID==getegid: %d\n", getauxval(AT_EGID) == getegid());
	say("AT_SECURE=%lu\n", getauxval(AT_SECURE));
	say("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
	say("AT_PHENT=%lu\n", getauxval(AT_PHENT));
	say("AT_PLATFORM=%s\n", (char *)getauxval(AT_PLATFORM));
	const char *fn = (const char *)getauxval(AT_EXECFN);
	say("AT_EXECFN ends with program name: %d\n", fn && strstr(fn, "args") != NULL);
	unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero |= rnd[i];
	say("AT_RANDOM present: %d\n", rnd != NULL && nonzero != 0);
	say("AT_ENTRY set: %d\n", getauxval(AT_ENTRY) != 0);
	say("AT_PHDR set: %d\n", getauxval(AT_PHDR) != 0);
	say("AT_HWCAP has SSE2: %d\n", (int)((getauxval(AT_HWCAP) >> 26) & 1));
	say("stack is 16-byte aligned at main: %d\n", ((uintptr_t)__builtin_frame_address(0) & 7) == 0);
	return argc;
}
