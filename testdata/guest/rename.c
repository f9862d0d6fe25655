/* rename: rename, renameat and renameat2 rules. */
#include "guest.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static long renameat2_(int od, const char *o, int nd, const char *n, unsigned f)
{
	return syscall(SYS_renameat2, od, o, nd, n, f);
}

int main(void)
{
	write_file("a", "A");
	write_file("b", "B");
	MUST(mkdir("d", 0755));
	MUST(mkdir("e", 0755));
	write_file("e/x", "X");
	MUST(mkdir("empty", 0755));

	CHECK(rename("a", "a2"));
	show_file("a2");
	CHECK(rename("a", "a3"));
	CHECK(rename("a2", "b"));
	show_file("b");
	CHECK(rename("b", "b"));
	CHECK(rename("b", "d"));
	CHECK(rename("d", "b"));
	CHECK(rename("d", "e"));
	CHECK(rename("d", "empty"));
	struct stat st;
	CHECK(stat("d", &st));
	CHECK(stat("empty", &st));
	CHECK(rename("empty", "empty/sub"));
	CHECK(rename("empty", "empty/"));
	CHECK(rename("b", "b/"));
	CHECK(rename("e", "moved/"));
	CHECK(rename(".", "x"));
	CHECK(rename("e", "."));
	CHECK(rename("e", "e/.."));
	CHECK(rename("missing", "x"));
	CHECK(rename("b", "nodir/x"));
	CHECK(rename("e/x", "e/y"));
	show_file("e/y");

	int dfd = open("e", O_RDONLY | O_DIRECTORY);
	CHECK(renameat(dfd, "y", AT_FDCWD, "y"));
	show_file("y");

	write_file("p", "P");
	write_file("q", "Q");
	CHECK(renameat2_(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE));
	CHECK(renameat2_(AT_FDCWD, "p", AT_FDCWD, "r", RENAME_NOREPLACE));
	CHECK(renameat2_(AT_FDCWD, "r", AT_FDCWD, "q", RENAME_EXCHANGE));
	show_file("r");
	show_file("q");
	CHECK(renameat2_(AT_FDCWD, "r", AT_FDCWD, "zz", RENAME_EXCHANGE));
	CHECK(renameat2_(AT_FDCWD, "r", AT_FDCWD, "q", RENAME_EXCHANGE | RENAME_NOREPLACE));
	CHECK(renameat2_(AT_FDCWD, "r", AT_FDCWD, "q", 64));
	CHECK(renameat2_(AT_FDCWD, "r", AT_FDCWD, "d", RENAME_EXCHANGE));
	CHECK(stat("r", &st));
	say("r is now a directory: %d\n", S_ISDIR(st.st_mode));
	return 0;
}
