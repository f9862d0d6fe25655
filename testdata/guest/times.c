/* times: utimensat, futimens, utimes and utime, and the timestamps reads,
 * writes, truncation, chmod, links and renames change. */
#include "guest.h"
#include <sys/time.h>
#include <utime.h>

static struct stat st(const char *p)
{
	struct stat s;
	memset(&s, 0, sizeof s);
	if (lstat(p, &s) < 0)
		say("lstat %s: %s\n", p, errname(errno));
	return s;
}

/* changed reports which of atime, mtime and ctime moved between a and b. */
static void changed(const char *what, struct stat a, struct stat b)
{
	say("%s: atime %s, mtime %s, ctime %s\n", what, tcmp(a.st_atim, b.st_atim) ? "changed" : "same",
	    tcmp(a.st_mtim, b.st_mtim) ? "changed" : "same", tcmp(a.st_ctim, b.st_ctim) ? "changed" : "same");
}

int main(void)
{
	write_file("f", "data");
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
	CHECK(utimensat(AT_FDCWD, "f", ts, 0));
	struct stat s = st("f");
	say("atime %ld.%09ld mtime %ld.%09ld\n", (long)s.st_atim.tv_sec, s.st_atim.tv_nsec, (long)s.st_mtim.tv_sec,
	    s.st_mtim.tv_nsec);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 1600000000, 5 } };
	CHECK(utimensat(AT_FDCWD, "f", omit, 0));
	s = st("f");
	say("atime %ld.%09ld mtime %ld.%09ld\n", (long)s.st_atim.tv_sec, s.st_atim.tv_nsec, (long)s.st_mtim.tv_sec,
	    s.st_mtim.tv_nsec);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	CHECK(utimensat(AT_FDCWD, "f", bad, 0));
	struct timespec both_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	struct stat before = st("f");
	msleep(20);
	CHECK(utimensat(AT_FDCWD, "f", both_omit, 0));
	changed("both UTIME_OMIT", before, st("f"));
	before = st("f");
	msleep(20);
	CHECK(utimensat(AT_FDCWD, "f", NULL, 0));
	struct stat after = st("f");
	changed("utimensat(NULL)", before, after);
	say("now-times are recent: %d\n", after.st_mtim.tv_sec > 1600000000);
	CHECK(utimensat(AT_FDCWD, "missing", NULL, 0));
	int fd = open("f", O_RDWR);
	CHECK(futimens(fd, ts));
	s = st("f");
	say("futimens mtime %ld.%09ld\n", (long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	struct timeval tv[2] = { { 2000000000, 1 }, { 2000000001, 999999 } };
	CHECK(utimes("f", tv));
	s = st("f");
	say("utimes atime %ld.%09ld mtime %ld.%09ld\n", (long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
	    (long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	struct utimbuf ub = { 300000000, 400000000 };
	CHECK(utime("f", &ub));
	s = st("f");
	say("utime atime %ld.%09ld mtime %ld.%09ld\n", (long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
	    (long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	MUST(symlink("f", "l"));
	CHECK(utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW));
	s = st("l");
	say("link mtime %ld\n", (long)s.st_mtim.tv_sec);
	CHECK(utimensat(AT_FDCWD, "f", ts, 0x777));

	/* What each operation changes. */
	before = st("f");
	msleep(20);
	CHECK(write(fd, "more", 4));
	changed("write", before, st("f"));
	before = st("f");
	msleep(20);
	CHECK(write(fd, "", 0));
	changed("empty write", before, st("f"));
	before = st("f");
	msleep(20);
	CHECK(ftruncate(fd, 2));
	changed("ftruncate", before, st("f"));
	before = st("f");
	msleep(20);
	CHECK(chmod("f", 0600));
	changed("chmod", before, st("f"));
	before = st("f");
	msleep(20);
	CHECK(link("f", "g"));
	changed("link (file)", before, st("f"));
	MUST(mkdir("d", 0755));
	before = st("d");
	msleep(20);
	write_file("d/new", "");
	changed("create in dir", before, st("d"));
	before = st("d");
	msleep(20);
	CHECK(unlink("d/new"));
	changed("unlink in dir", before, st("d"));
	write_file("d/x", "");
	before = st("d/x");
	struct stat dbefore = st("d");
	msleep(20);
	CHECK(rename("d/x", "d/y"));
	changed("rename (file)", before, st("d/y"));
	changed("rename (dir)", dbefore, st("d"));
	before = st("g");
	msleep(20);
	CHECK(unlink("f"));
	changed("unlink (other link)", before, st("g"));
	return 0;
}
