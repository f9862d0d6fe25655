/* otmpfile: O_TMPFILE makes an unnamed file in a directory, which
 * linkat through /proc/self/fd can name unless O_EXCL was given. Exits 77
 * (skip) natively where the host's file system lacks O_TMPFILE. */
#include "guest.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	struct stat d0, d1;
	stat(".", &d0);
	msleep(20);
	int fd = open(".", O_TMPFILE | O_RDWR, 0640);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		printf("no O_TMPFILE here: %s\n", errname(errno));
		return 77;
	}
	MUST(fd);
	stat(".", &d1);
	say("directory unchanged: mtime %d ctime %d\n", d0.st_mtim.tv_nsec == d1.st_mtim.tv_nsec && d0.st_mtime == d1.st_mtime,
	    d0.st_ctim.tv_nsec == d1.st_ctim.tv_nsec && d0.st_ctime == d1.st_ctime);
	struct stat st;
	fstat(fd, &st);
	say("regular %d nlink %lu mode %o\n", S_ISREG(st.st_mode), (unsigned long)st.st_nlink, st.st_mode & 0777);
	CHECK(write(fd, "hidden data", 11));
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	int n = readlink(link, path, sizeof path - 1);
	path[n > 0 ? n : 0] = 0;
	say("fd link ends in (deleted): %d\n", n > 10 && strcmp(path + n - 10, " (deleted)") == 0);
	CHECK(linkat(AT_FDCWD, link, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
	stat("named", &st);
	say("named: nlink %lu size %ld\n", (unsigned long)st.st_nlink, (long)st.st_size);
	show_file("named");
	CHECK(linkat(AT_FDCWD, link, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
	close(fd);
	unlink("named");

	/* O_EXCL: it can never be named. */
	fd = CHECK(open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600));
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	CHECK(linkat(AT_FDCWD, link, AT_FDCWD, "never", AT_SYMLINK_FOLLOW));
	close(fd);

	CHECK(open(".", O_TMPFILE | O_RDONLY, 0600));
	write_file("plain", "x");
	CHECK(open("plain", O_TMPFILE | O_RDWR, 0600));
	CHECK(open("missing", O_TMPFILE | O_RDWR, 0600));
	unlink("plain");
	return 0;
}
