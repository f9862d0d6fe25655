/* paths: ".." at the root, "." and ".." everywhere, dirfd-relative paths,
 * trailing slashes and empty paths. */
#include "guest.h"

static void where(const char *p)
{
	struct stat a, b;
	if (stat(p, &a) < 0) {
		say("%s: %s\n", p, errname(errno));
		return;
	}
	stat("/", &b);
	say("%s: is root %d, dir %d\n", p, a.st_ino == b.st_ino && a.st_dev == b.st_dev, S_ISDIR(a.st_mode));
}

int main(void)
{
	where("/..");
	where("/../../..");
	where("/./.");
	where("//");
	where("/.//..//");
	MUST(mkdir("x", 0755));
	MUST(mkdir("x/y", 0755));
	write_file("x/y/f", "F");
	where("x/y/../..");
	where("x/y/../../x");
	where("x/./y/./f");
	where("x/y/f/..");
	where("x/y/f/.");
	int d = open("x", O_RDONLY | O_DIRECTORY);
	struct stat st;
	CHECK(fstatat(d, "y/f", &st, 0));
	CHECK(fstatat(d, "../x/y", &st, 0));
	CHECK(fstatat(d, "y/f/", &st, 0));
	CHECK(mkdirat(d, "z", 0755));
	CHECK(unlinkat(d, "z", AT_REMOVEDIR));
	CHECK(unlinkat(d, "y", 0));
	CHECK(unlinkat(d, "y/f", AT_REMOVEDIR));
	CHECK(unlinkat(d, "y/f", 0x400));
	CHECK(symlinkat("y/f", d, "s"));
	char buf[32] = { 0 };
	CHECK(readlinkat(d, "s", buf, sizeof buf));
	say("link %s\n", buf);
	CHECK(linkat(d, "y/f", d, "hard", 0));
	CHECK(renameat(d, "hard", d, "y/hard"));
	show_file("x/y/hard");
	CHECK(chdir("x/y"));
	where("../../x/y/f");
	where("");
	where(".");
	return 0;
}
