/* open: open, openat and creat flags and their errors. */
#include "guest.h"

int main(void)
{
	MUST(mkdir("d", 0755));
	write_file("d/f", "data");
	MUST(symlink("f", "d/link"));
	MUST(symlink("nowhere", "d/dangling"));

	CHECK(open("d/f", O_RDONLY));
	CHECK(open("d/missing", O_RDONLY));
	CHECK(open("d/f/x", O_RDONLY));
	CHECK(open("d", O_WRONLY));
	CHECK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK(open("d/f", O_RDONLY | O_DIRECTORY));
	CHECK(open("d/f", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK(open("d/link", O_RDONLY | O_NOFOLLOW));
	CHECK(open("d/link", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK(open("d/dangling", O_RDONLY));
	CHECK(open("d/dangling", O_CREAT | O_WRONLY, 0600));
	show_file("d/nowhere");
	CHECK(open("d/new/", O_CREAT | O_WRONLY, 0644));
	CHECK(open("", O_RDONLY));
	CHECK(open("d/f/", O_RDONLY));
	CHECK(open("d/", O_RDONLY));

	/* O_TRUNC and O_APPEND */
	int fd = CHECK(open("d/f", O_WRONLY | O_TRUNC));
	CHECK(write(fd, "xy", 2));
	close(fd);
	show_file("d/f");
	fd = CHECK(open("d/f", O_WRONLY | O_APPEND));
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(write(fd, "zz", 2));
	close(fd);
	show_file("d/f");

	/* creat, and the mode with the umask */
	umask(022);
	fd = CHECK(creat("d/c", 0666));
	struct stat st;
	fstat(fd, &st);
	say("creat mode %o\n", st.st_mode & 07777);
	CHECK(write(fd, "abc", 3));
	CHECK(read(fd, &st, 1));
	close(fd);

	/* openat relative to a directory descriptor */
	int dfd = CHECK(open("d", O_RDONLY | O_DIRECTORY));
	fd = CHECK(openat(dfd, "f", O_RDONLY));
	close(fd);
	CHECK(openat(dfd, "../d/f", O_RDONLY) >= 0);
	fd = CHECK(open("d/f", O_RDONLY));
	CHECK(openat(fd, "x", O_RDONLY));
	CHECK(openat(fd, "/d/f", O_RDONLY) >= 0 || errno == ENOENT);
	CHECK(openat(999, "x", O_RDONLY));
	CHECK(openat(999, "/nonexistent", O_RDONLY));

	/* O_PATH: no reading, but fstat and *at use */
	int pfd = CHECK(open("d/f", O_PATH));
	char c;
	CHECK(read(pfd, &c, 1));
	CHECK(fstat(pfd, &st));
	say("O_PATH fstat size %ld\n", (long)st.st_size);
	int lfd = CHECK(open("d/link", O_PATH | O_NOFOLLOW));
	CHECK(fstatat(lfd, "", &st, AT_EMPTY_PATH));
	say("O_PATH|O_NOFOLLOW is a link: %d\n", S_ISLNK(st.st_mode));

	/* the lowest free descriptor is used */
	close(3);
	CHECK(open("d/f", O_RDONLY));
	return 0;
}
