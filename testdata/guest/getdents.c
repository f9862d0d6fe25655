/* getdents: directory listings with readdir, d_type, rewinddir, seekdir. */
#include "guest.h"
#include <dirent.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		say("opendir %s: %s\n", path, errname(errno));
		return;
	}
	char *names[64];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		char *s = malloc(300);
		const char *t = e->d_type == DT_DIR ? "d" : e->d_type == DT_REG ? "f" : e->d_type == DT_LNK ? "l" :
				e->d_type == DT_FIFO ? "p" : e->d_type == DT_UNKNOWN ? "?" : "o";
		snprintf(s, 300, "%s(%s)", e->d_name, t);
		names[n++] = s;
	}
	qsort(names, n, sizeof names[0], cmp);
	say("%s:", path);
	for (int i = 0; i < n; i++)
		say(" %s", names[i]);
	say("\n");
	closedir(d);
}

int main(void)
{
	MUST(mkdir("d", 0755));
	MUST(mkdir("d/sub", 0755));
	write_file("d/file1", "1");
	write_file("d/file2", "22");
	MUST(symlink("file1", "d/link"));
	MUST(mkfifo("d/fifo", 0644));
	list("d");
	list("d/sub");
	list("d/file1");
	list("missing");

	/* Entries deleted and added; seekdir back to a saved place. */
	DIR *d = opendir("d");
	int count = 0;
	long pos = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (count == 2)
			pos = telldir(d);
		count++;
	}
	say("entries %d\n", count);
	seekdir(d, pos);
	int rest = 0;
	while (readdir(d))
		rest++;
	say("after seekdir: %d more\n", rest);
	rewinddir(d);
	unlink("d/file2");
	count = 0;
	while (readdir(d))
		count++;
	say("after rewind and unlink: %d\n", count);
	closedir(d);

	/* A directory with many entries, read in small pieces. */
	MUST(mkdir("big", 0755));
	char name[64];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "big/entry-with-a-long-name-%04d", i);
		write_file(name, "");
	}
	int fd = open("big", O_RDONLY | O_DIRECTORY);
	char buf[200];
	int total = 0, calls = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen = *(unsigned short *)(buf + off + 16);
			total++;
			off += reclen;
		}
		calls++;
	}
	say("getdents64: %d entries, last call %ld, many calls %d\n", total, n, calls > 10);
	CHECK(syscall(SYS_getdents64, fd, buf, 10));
	lseek(fd, 0, SEEK_SET);
	CHECK(syscall(SYS_getdents64, fd, buf, 10));
	int f = open("d/file1", O_RDONLY);
	CHECK(syscall(SYS_getdents64, f, buf, sizeof buf));
	CHECK(syscall(SYS_getdents64, 99, buf, sizeof buf));
	return 0;
}
