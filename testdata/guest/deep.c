/* deep: long paths: many nested directories, getcwd of a deep directory,
 * and the 4096-byte path limit. */
#include "guest.h"

int main(void)
{
	char name[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	int depth = 0;
	for (; depth < 150; depth++) {
		if (mkdir(name, 0755) < 0 || chdir(name) < 0) {
			say("stopped at %d: %s\n", depth, errname(errno));
			break;
		}
	}
	say("depth %d\n", depth);
	char buf[8192];
	char *cwd = getcwd(buf, sizeof buf);
	say("getcwd of a %d-deep directory: %s\n", depth, cwd ? "ok" : errname(errno));
	if (cwd) {
		long count = 0;
		for (char *s = cwd; (s = strstr(s, name)); s++)
			count++;
		say("components %ld\n", count);
	}
	char small[100];
	say("small buffer: %s\n", getcwd(small, sizeof small) ? "ok" : errname(errno));
	for (int i = 0; i < depth; i++)
		if (chdir("..") < 0)
			say("chdir .. failed\n");
	/* A path of more than 4096 bytes through those directories. */
	char path[6000] = "";
	for (int i = 0; i < 120; i++) {
		strcat(path, name);
		strcat(path, "/");
	}
	struct stat st;
	say("long path (%zu bytes): %s\n", strlen(path),
	    stat(path, &st) == 0 ? "ok" : errname(errno));
	path[4000] = 0;
	path[strrchr(path, '/') - path] = 0;
	say("shorter path: %s\n", stat(path, &st) == 0 ? "ok" : errname(errno));
	return 0;
}
