/* dirs: mkdir, rmdir, chdir, fchdir, getcwd and directory link counts. */
#include "guest.h"

static void cwd(void)
{
	char buf[256];
	if (getcwd(buf, sizeof buf) == NULL) {
		say("getcwd: %s\n", errname(errno));
		return;
	}
	/* Print the path below the starting directory only. */
	static char start[256];
	if (!start[0])
		strcpy(start, buf);
	say("cwd: .%s\n", buf + strlen(start));
}

static void nlink(const char *p)
{
	struct stat st;
	if (stat(p, &st) == 0)
		say("%s nlink=%lu\n", p, (unsigned long)st.st_nlink);
}

int main(void)
{
	umask(0);
	cwd();
	CHECK(mkdir("a", 0755));
	CHECK(mkdir("a", 0755));
	CHECK(mkdir("a/b", 0700));
	CHECK(mkdir("a/b/c", 0777));
	CHECK(mkdir("missing/x", 0755));
	CHECK(mkdir("a/b/c/", 0755));
	CHECK(mkdir("a/new/", 0755));
	nlink("a");
	nlink("a/b");
	nlink("a/b/c");
	struct stat st;
	stat("a/b", &st);
	say("a/b mode %o\n", st.st_mode & 07777);
	CHECK(chdir("a/b"));
	cwd();
	CHECK(chdir(".."));
	cwd();
	CHECK(chdir("nope"));
	write_file("file", "x");
	CHECK(chdir("file"));
	int fd = open("b", O_RDONLY | O_DIRECTORY);
	CHECK(fchdir(fd));
	cwd();
	CHECK(chdir("../.."));
	cwd();
	CHECK(rmdir("a"));
	CHECK(rmdir("a/b/c"));
	CHECK(rmdir("a/b/c"));
	nlink("a/b");
	CHECK(rmdir("a/file"));
	CHECK(rmdir("a/new"));
	CHECK(rmdir("a/b/."));
	CHECK(rmdir("a/b/.."));
	CHECK(mkdir("a/b/.", 0755));

	/* getcwd errors */
	char small[4];
	CHECK(getcwd(small, sizeof small) == NULL ? -1 : 0);
	CHECK(chdir("a/b"));
	CHECK(rmdir("../b"));
	char buf[256];
	CHECK(getcwd(buf, sizeof buf) == NULL ? -1 : 0);
	CHECK(chdir(".."));
	cwd();
	CHECK(mkdir("", 0755));
	CHECK(rmdir(""));
	return 0;
}
