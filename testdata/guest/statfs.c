/* statfs: the fields statfs and fstatfs report. */
#include "guest.h"
#include <sys/statfs.h>
#include <sys/vfs.h>

int main(void)
{
	struct statfs s;
	CHECK(statfs(".", &s));
	say("namelen %ld bsize>0 %d frsize>0 %d blocks>=bfree %d bfree>=bavail %d\n", (long)s.f_namelen, s.f_bsize > 0,
	    s.f_frsize > 0, s.f_blocks >= s.f_bfree, s.f_bfree >= s.f_bavail);
	CHECK(statfs("missing", &s));
	int fd = open(".", O_RDONLY);
	CHECK(fstatfs(fd, &s));
	CHECK(fstatfs(99, &s));
	int p[2];
	pipe(p);
	CHECK(fstatfs(p[0], &s));
	say("pipefs magic %d\n", s.f_type == 0x50495045);
	CHECK(statfs("/dev/null", &s));
	return 0;
}
