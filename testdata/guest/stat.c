/* stat: stat, fstat, lstat and fstatat on files, directories and links. */
#include "guest.h"
#include <sys/sysmacros.h>

static void show(const char *label, struct stat *st)
{
	const char *type = S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir" : S_ISLNK(st->st_mode) ? "lnk" :
			   S_ISFIFO(st->st_mode) ? "fifo" : S_ISCHR(st->st_mode) ? "chr" : "other";
	say("%s: %s mode=%o nlink=%lu uid=%u gid=%u", label, type, st->st_mode & 07777, (unsigned long)st->st_nlink,
	    st->st_uid, st->st_gid);
	if (!S_ISDIR(st->st_mode))
		say(" size=%ld", (long)st->st_size);
	if (S_ISREG(st->st_mode))
		say(" blocks=%ld", (long)st->st_blocks);
	say(" blksize>0=%d\n", st->st_blksize > 0);
}

int main(void)
{
	struct stat st, st2;
	umask(0);
	write_file("file", "0123456789");
	chmod("file", 0640);
	MUST(mkdir("dir", 0750));
	MUST(mkdir("dir/sub", 0700));
	MUST(symlink("file", "link"));
	MUST(link("file", "hard"));

	CHECK(stat("file", &st));
	show("file", &st);
	CHECK(stat("dir", &st));
	show("dir", &st);
	CHECK(lstat("link", &st));
	show("lstat link", &st);
	CHECK(stat("link", &st));
	show("stat link", &st);
	CHECK(stat("hard", &st2));
	say("hard link same inode: %d, nlink %lu\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	    (unsigned long)st2.st_nlink);
	CHECK(stat("missing", &st));
	CHECK(stat("file/x", &st));
	CHECK(stat("", &st));
	CHECK(stat("link/", &st));
	CHECK(lstat("dir/sub/", &st));
	CHECK(syscall(SYS_stat, badptr(), &st));
	CHECK(syscall(SYS_stat, "file", badptr()));

	int fd = open("file", O_RDONLY);
	CHECK(fstat(fd, &st));
	show("fstat", &st);
	CHECK(fstat(99, &st));
	int dfd = open("dir", O_RDONLY | O_DIRECTORY);
	CHECK(fstatat(dfd, "sub", &st, 0));
	show("fstatat sub", &st);
	CHECK(fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW));
	show("fstatat nofollow", &st);
	CHECK(fstatat(dfd, "", &st, AT_EMPTY_PATH));
	show("fstatat empty", &st);
	CHECK(fstatat(dfd, "", &st, 0));
	CHECK(fstatat(fd, "x", &st, 0));
	CHECK(fstatat(AT_FDCWD, "file", &st, 0x12345));

	int p[2];
	pipe(p);
	CHECK(fstat(p[0], &st));
	say("pipe is fifo: %d mode %o\n", S_ISFIFO(st.st_mode), st.st_mode & 0777);
	CHECK(stat("/dev/null", &st));
	say("/dev/null: chr=%d rdev=%u:%u mode=%o\n", S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev),
	    st.st_mode & 0777);
	return 0;
}
