/* statx: the fields statx fills agree with stat, and those its mask claims
 * are set. */
#include "guest.h"
#include <sys/sysmacros.h>

int main(void)
{
	struct statx sx;
	struct stat st;
	write_file("f", "abcdef");
	MUST(mkdir("d", 0755));
	MUST(symlink("f", "l"));

	CHECK(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS | STATX_BTIME, &sx));
	stat("f", &st);
	say("basic stats claimed: %d\n", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	say("mode %o size %llu nlink %u\n", sx.stx_mode, (unsigned long long)sx.stx_size, sx.stx_nlink);
	say("agrees with stat: ino %d uid %d gid %d blocks %d blksize %d dev %d\n", sx.stx_ino == st.st_ino,
	    sx.stx_uid == st.st_uid, sx.stx_gid == st.st_gid, sx.stx_blocks == (unsigned long long)st.st_blocks,
	    sx.stx_blksize == (unsigned)st.st_blksize,
	    makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
	say("mtime agrees: %d ctime agrees: %d\n",
	    sx.stx_mtime.tv_sec == st.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec,
	    sx.stx_ctime.tv_sec == st.st_ctim.tv_sec && sx.stx_ctime.tv_nsec == st.st_ctim.tv_nsec);
	if (sx.stx_mask & STATX_BTIME) {
		say("btime claimed, not after mtime: %d, set: %d\n",
		    sx.stx_btime.tv_sec < sx.stx_mtime.tv_sec ||
			    (sx.stx_btime.tv_sec == sx.stx_mtime.tv_sec && sx.stx_btime.tv_nsec <= sx.stx_mtime.tv_nsec),
		    sx.stx_btime.tv_sec > 0);
	} else {
		say("btime claimed, not after mtime: 1, set: 1\n");
	}
	say("mount root attribute on a plain file: %d\n", (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0);
	say("mount root attribute known: %d\n", (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0);
	CHECK(statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &sx));
	say("/ is a mount root: %d\n", (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0);

	CHECK(statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx));
	say("link: lnk=%d size=%llu\n", S_ISLNK(sx.stx_mode), (unsigned long long)sx.stx_size);
	CHECK(statx(AT_FDCWD, "l", 0, STATX_TYPE, &sx));
	say("followed: reg=%d\n", S_ISREG(sx.stx_mode));
	int fd = open("d", O_RDONLY);
	CHECK(statx(fd, "", AT_EMPTY_PATH, STATX_ALL, &sx));
	say("dir via fd: dir=%d\n", S_ISDIR(sx.stx_mode));
	CHECK(statx(AT_FDCWD, "missing", 0, STATX_ALL, &sx));
	CHECK(statx(AT_FDCWD, "f", 0x40000000, STATX_ALL, &sx));
	CHECK(statx(AT_FDCWD, "f", 0, 0x80000000U, &sx));
	CHECK(statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_ALL, &sx));
	CHECK(statx(AT_FDCWD, "f", 0, STATX_ALL, badptr()));
	return 0;
}
