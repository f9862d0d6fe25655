/* perm: chmod, fchmod, fchmodat, chown and umask; root's access rules. */
#include "guest.h"

static void mode(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0)
		say("%s: %s\n", p, errname(errno));
	else
		say("%s: mode %o uid %u gid %u\n", p, st.st_mode & 07777, st.st_uid, st.st_gid);
}

int main(void)
{
	CHECK(umask(027));
	CHECK(umask(022));
	umask(077);
	write_file("u", "x");
	mode("u");
	MUST(mkdir("ud", 0777));
	mode("ud");
	umask(0);
	write_file("f", "x");
	CHECK(chmod("f", 04755));
	mode("f");
	CHECK(chmod("f", 0));
	mode("f");
	show_file("f");
	CHECK(access("f", R_OK));
	CHECK(access("f", W_OK));
	CHECK(access("f", X_OK));
	CHECK(chmod("f", 0100));
	CHECK(access("f", X_OK));
	CHECK(chmod("f", 07777 | 0170000));
	mode("f");
	CHECK(chmod("missing", 0644));
	int fd = open("f", O_RDONLY);
	CHECK(fchmod(fd, 0600));
	mode("f");
	CHECK(fchmodat(AT_FDCWD, "f", 0640, 0));
	mode("f");
	CHECK(fchmod(99, 0600));

	CHECK(chown("f", 1234, 5678));
	mode("f");
	CHECK(chown("f", -1, 42));
	mode("f");
	chmod("f", 06755);
	CHECK(chown("f", 0, 0));
	mode("f");
	chmod("f", 06745);
	CHECK(chown("f", -1, -1));
	mode("f");
	MUST(symlink("f", "l"));
	CHECK(lchown("l", 7, 8));
	mode("l");
	mode("f");
	CHECK(fchownat(AT_FDCWD, "l", 9, 9, AT_SYMLINK_NOFOLLOW));
	mode("l");
	CHECK(fchown(fd, 11, 12));
	mode("f");
	CHECK(fchownat(AT_FDCWD, "l", 9, 9, 0x8888));

	/* Directories: the sticky and set-group-ID bits. */
	MUST(mkdir("sg", 0755));
	CHECK(chmod("sg", 02775));
	CHECK(chown("sg", 0, 77));
	write_file("sg/inherit", "");
	mode("sg/inherit");
	MUST(mkdir("sg/subdir", 0755));
	mode("sg/subdir");
	CHECK(chmod("sg", 01777));
	mode("sg");

	CHECK(access("missing", F_OK));
	CHECK(access("f", 8));
	CHECK(faccessat(AT_FDCWD, "f", R_OK, 0));
	CHECK(syscall(SYS_faccessat2, AT_FDCWD, "l", F_OK, AT_SYMLINK_NOFOLLOW));
	CHECK(syscall(SYS_faccessat2, AT_FDCWD, "l", F_OK, 0x9999));
	return 0;
}
