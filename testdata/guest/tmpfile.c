/* tmpfile: mkstemp, mkdtemp and tmpfile (all built on O_EXCL). */
#include "guest.h"

int main(void)
{
	char t1[] = "tmp.XXXXXX";
	int fd = mkstemp(t1);
	say("mkstemp ok %d name kept prefix %d\n", fd >= 0, strncmp(t1, "tmp.", 4) == 0);
	struct stat st;
	fstat(fd, &st);
	say("mode %o\n", st.st_mode & 0777);
	char t2[] = "dir.XXXXXX";
	say("mkdtemp ok %d\n", mkdtemp(t2) != NULL);
	stat(t2, &st);
	say("dir mode %o\n", st.st_mode & 0777);
	char bad[] = "nox";
	say("mkstemp bad template: %d %s\n", mkstemp(bad), errname(errno));
	CHECK(unlink(t1));
	CHECK(write(fd, "still usable", 12));
	CHECK(lseek(fd, 0, SEEK_SET));
	char b[16] = { 0 };
	CHECK(read(fd, b, 15));
	say("unlinked file reads \"%s\"\n", b);
	fstat(fd, &st);
	say("nlink %lu\n", (unsigned long)st.st_nlink);
	return 0;
}
