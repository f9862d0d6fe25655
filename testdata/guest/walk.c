/* walk: a file tree walk with nftw: directories, files, links and sizes. */
#include "guest.h"
#include <ftw.h>

static char *lines[512];
static int nlines;

static int visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
	char *s = malloc(400);
	const char *t = type == FTW_F ? "f" : type == FTW_D ? "d" : type == FTW_SL ? "l" : type == FTW_DP ? "dp" : "?";
	snprintf(s, 400, "%s %s level=%d size=%ld", t, path, f->level, type == FTW_F ? (long)st->st_size : 0L);
	lines[nlines++] = s;
	return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(void)
{
	MUST(mkdir("t", 0755));
	char p[128];
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "t/d%d", i);
		MUST(mkdir(p, 0755));
		for (int j = 0; j < 4; j++) {
			snprintf(p, sizeof p, "t/d%d/f%d", i, j);
			int fd = open(p, O_CREAT | O_WRONLY, 0644);
			char buf[100];
			memset(buf, 'x', sizeof buf);
			write(fd, buf, i * 10 + j);
			close(fd);
		}
	}
	MUST(symlink("d0", "t/link"));
	CHECK(nftw("t", visit, 10, FTW_PHYS));
	qsort(lines, nlines, sizeof lines[0], cmp);
	for (int i = 0; i < nlines; i++)
		say("%s\n", lines[i]);
	nlines = 0;
	CHECK(nftw("t", visit, 10, FTW_PHYS | FTW_DEPTH));
	say("depth-first visits %d\n", nlines);
	return 0;
}
