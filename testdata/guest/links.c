/* links: hard and symbolic links, readlink, and symlink loops. */
#include "guest.h"

static void rl(const char *p)
{
	char buf[128];
	long n = readlink(p, buf, sizeof buf - 1);
	if (n < 0) {
		say("readlink %s: %s\n", p, errname(errno));
		return;
	}
	buf[n] = 0;
	say("readlink %s: %ld \"%s\"\n", p, n, buf);
}

int main(void)
{
	struct stat st;
	write_file("f", "content");
	CHECK(link("f", "h"));
	CHECK(link("f", "h"));
	CHECK(link("missing", "x"));
	MUST(mkdir("d", 0755));
	CHECK(link("d", "dlink"));
	stat("f", &st);
	say("nlink %lu\n", (unsigned long)st.st_nlink);
	CHECK(unlink("f"));
	stat("h", &st);
	say("nlink after unlink %lu\n", (unsigned long)st.st_nlink);
	show_file("h");
	CHECK(unlink("f"));
	CHECK(unlink("d"));
	CHECK(unlink("d/"));
	CHECK(unlink("h/"));

	CHECK(symlink("h", "s"));
	CHECK(symlink("h", "s"));
	CHECK(symlink("", "e"));
	CHECK(symlink("/absolute/target", "abs"));
	CHECK(symlink("d", "sd"));
	rl("s");
	rl("abs");
	rl("h");
	rl("missing");
	char tiny[3];
	CHECK(readlink("s", tiny, 0));
	CHECK(readlink("abs", tiny, 3));
	say("truncated: %.3s\n", tiny);
	CHECK(readlinkat(AT_FDCWD, "s", tiny, 1));
	show_file("s");
	CHECK(stat("sd/", &st));
	CHECK(lstat("sd", &st));
	say("lstat sd is link: %d\n", S_ISLNK(st.st_mode));
	CHECK(unlink("sd"));
	CHECK(stat("d", &st));

	/* linkat: following or not following a symlink */
	CHECK(linkat(AT_FDCWD, "s", AT_FDCWD, "ls", 0));
	CHECK(lstat("ls", &st));
	say("linkat without follow links the symlink: %d\n", S_ISLNK(st.st_mode));
	CHECK(linkat(AT_FDCWD, "s", AT_FDCWD, "lf", AT_SYMLINK_FOLLOW));
	CHECK(lstat("lf", &st));
	say("linkat with follow links the target: %d nlink %lu\n", S_ISREG(st.st_mode), (unsigned long)st.st_nlink);
	CHECK(linkat(AT_FDCWD, "s", AT_FDCWD, "lx", 0x9999));

	/* Chains: 40 links resolve, 41 fail with ELOOP. */
	char a[32], b[32];
	for (int i = 1; i <= 41; i++) {
		snprintf(a, sizeof a, "c%d", i);
		snprintf(b, sizeof b, "c%d", i - 1);
		MUST(symlink(i == 1 ? "h" : b, a));
	}
	CHECK(stat("c40", &st));
	CHECK(stat("c41", &st));
	CHECK(open("c41", O_RDONLY));
	MUST(symlink("self", "self"));
	CHECK(stat("self", &st));
	CHECK(stat("self/x", &st));
	CHECK(lstat("self", &st));
	return 0;
}
