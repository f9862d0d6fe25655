/* procfs: /proc as ps, top and lsof read it. Values differ between hosts
 * (pids, times, addresses), so the program prints what must hold: fields
 * that equal what the syscalls say, exact layouts where they are fixed,
 * and the states of processes it controls. */
#include "guest.h"
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/vfs.h>

static char buf[65536];
static char cwd[256];

/* slurp reads a whole file into buf, returning its length or -1. */
static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

/* field returns the value after "name:\t" in buf (a status file), up to
 * the end of its line, in a static buffer. */
static const char *field(const char *name)
{
	/* Several results may be in use in one printf. */
	static char vs[8][256];
	static int next;
	char *v = vs[next++ % 8];
	char key[64];
	snprintf(key, sizeof key, "\n%s:\t", name);
	char *p = strstr(buf, key);
	if (!p && strncmp(buf, key + 1, strlen(key + 1)) == 0)
		p = buf - 1;
	if (!p)
		return "(missing)";
	p += strlen(key);
	int i = 0;
	while (p[i] && p[i] != '\n' && i < 255) {
		v[i] = p[i];
		i++;
	}
	v[i] = 0;
	return v;
}

struct stat_fields {
	int pid, ppid, pgrp, session, tty, tpgid, threads;
	char comm[64], state;
	unsigned flags;
	unsigned long long start;
	unsigned long vsize;
	long rss;
};

static int read_stat(const char *path, struct stat_fields *s)
{
	if (slurp(path) < 0)
		return -1;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close)
		return -1;
	s->pid = atoi(buf);
	snprintf(s->comm, sizeof s->comm, "%.*s", (int)(close - open - 1), open + 1);
	long dummy;
	int n = sscanf(close + 2, "%c %d %d %d %d %d %u %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %d %ld %llu %lu %ld",
		       &s->state, &s->ppid, &s->pgrp, &s->session, &s->tty, &s->tpgid, &s->flags,
		       &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
		       &s->threads, &dummy, &s->start, &s->vsize, &s->rss);
	return n == 22 ? 0 : -1;
}

static void *idle_thread(void *arg)
{
	int *p = arg;
	char c;
	read(p[0], &c, 1);
	return NULL;
}

static void onusr(int sig) { (void)sig; }

static void child_state(const char *what, pid_t c)
{
	char path[64];
	struct stat_fields s;
	snprintf(path, sizeof path, "/proc/%d/stat", c);
	for (int i = 0; i < 200; i++) {
		if (read_stat(path, &s) == 0 && s.state == what[0])
			break;
		msleep(10);
	}
	say("child %s: state %c\n", what, s.state);
}

int main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	/* What status reports must not depend on what the test runner left:
	 * its umask, blocked signals and ignored signals survive exec. */
	umask(022);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	pid_t me = getpid();
	char path[512], link[512];

	/* /proc/self and /proc/thread-self. */
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	say("self is pid: %d\n", atoi(link) == me);
	n = readlink("/proc/thread-self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof path, "%d/task/%d", me, me);
	say("thread-self: %d\n", strcmp(link, path) == 0);
	struct statfs sf;
	CHECK(statfs("/proc", &sf));
	say("proc magic: %#lx\n", (unsigned long)sf.f_type);

	/* stat. */
	struct stat_fields s;
	if (read_stat("/proc/self/stat", &s) < 0) {
		say("cannot parse /proc/self/stat\n");
		return 1;
	}
	say("stat: pid %d comm %s state %c ppid %d pgrp %d session %d threads %d forknoexec %d\n",
	    s.pid == me, s.comm, s.state, s.ppid == getppid(), s.pgrp == getpgrp(), s.session == getsid(0), s.threads,
	    !!(s.flags & 0x40));
	/* rss is left out: Linux's per-thread RSS counters make it read 0
	 * for small processes. */
	say("stat: vsize > 0 %d\n", s.vsize > 0);
	unsigned long long mystart = s.start;

	/* status, with signals blocked, ignored and caught. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, onusr);
	kill(me, SIGUSR1);
	slurp("/proc/self/status");
	say("status: Name %s State %s Tgid %d Pid %d PPid %d\n", field("Name"), field("State"),
	    atoi(field("Tgid")) == me, atoi(field("Pid")) == me, atoi(field("PPid")) == getppid());
	say("status: Uid %s Gid %s Threads %s Umask %s\n", field("Uid"), field("Gid"), field("Threads"), field("Umask"));
	/* Only the standard signals: a test runner may leave real-time ones
	 * ignored, and that survives exec. */
	say("status: SigPnd %s ShdPnd %s SigBlk %s SigIgn %lx SigCgt %s\n", field("SigPnd"), field("ShdPnd"),
	    field("SigBlk"), strtoul(field("SigIgn"), NULL, 16) & 0x7fffffff, field("SigCgt"));
	say("status: VmRSS present %d NSpid %d\n", strstr(buf, "\nVmRSS:") != NULL, atoi(field("NSpid")) == me);
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	/* cmdline and environ. */
	n = slurp("/proc/self/cmdline");
	for (int i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = '|';
	const char *base = strrchr(argv[0], '/');
	say("cmdline ends with the program name and a NUL: %d\n", n > 0 && strstr(buf, base ? base + 1 : argv[0]) != NULL && buf[n - 1] == '|');
	n = slurp("/proc/self/environ");
	int found = 0;
	for (int i = 0; i < n; i += strlen(buf + i) + 1)
		if (strcmp(buf + i, "GUEST_VAR=x") == 0)
			found = 1;
	say("environ has GUEST_VAR=x: %d\n", found);

	/* comm is writable; prctl sees it. */
	slurp("/proc/self/comm");
	say("comm: %s", buf);
	int fd = open("/proc/self/comm", O_WRONLY);
	CHECK(write(fd, "renamed", 7));
	close(fd);
	slurp("/proc/self/comm");
	char name[17] = {0};
	prctl(PR_GET_NAME, name);
	say("comm now: %s prctl: %s\n", strtok(buf, "\n"), name);

	/* exe, cwd and fd links; fdinfo. */
	n = readlink("/proc/self/exe", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	say("exe ends with /procfs: %d\n", n > 7 && strcmp(link + n - 7, "/procfs") == 0);
	getcwd(cwd, sizeof cwd);
	n = readlink("/proc/self/cwd", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	say("cwd link is getcwd: %d\n", strcmp(link, cwd) == 0);
	write_file("data", "0123456789");
	fd = open("data", O_RDWR | O_APPEND | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof path, "%s/data", cwd);
	say("fd link is the path: %d\n", strcmp(link, path) == 0);
	struct stat ls;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CHECK(lstat(path, &ls));
	say("fd link mode %o\n", ls.st_mode & 0777);
	int ro = open("data", O_RDONLY);
	snprintf(path, sizeof path, "/proc/self/fd/%d", ro);
	lstat(path, &ls);
	say("read-only fd link mode %o\n", ls.st_mode & 0777);
	/* Opening the link opens the file. */
	int again = open(path, O_RDONLY);
	char b4[5] = {0};
	read(again, b4, 4);
	say("through the link: %s\n", b4);
	close(again);
	lseek(ro, 3, SEEK_SET);
	struct stat fst;
	fstat(ro, &fst);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 5 };
	CHECK(fcntl(ro, F_SETLK, &fl));
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ro);
	slurp(path);
	say("fdinfo: pos %s flags %o\n", field("pos"), (unsigned)strtoul(field("flags"), NULL, 8) & ~0100000u);
	char *lk = strstr(buf, "lock:\t");
	char kind[16], adv[16], type[16], dev[32], end[32];
	int lpid;
	long ino, start;
	if (lk && sscanf(lk, "lock:\t%*d: %15s %15s %15s %d %31[^:]:%*[^:]:%ld %ld %31s", kind, adv, type, &lpid, dev, &ino, &start, end) == 8)
		say("fdinfo lock: %s %s %s pid %d start %ld end %s ino matches %d\n", kind, adv, type, lpid == me, start, end,
		    ino == (long)fst.st_ino);
	else
		say("fdinfo lock: missing\n");
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	slurp(path);
	say("fdinfo: pos %s flags %o\n", field("pos"), (unsigned)strtoul(field("flags"), NULL, 8) & ~0100000u);
	/* /proc/locks has the lock, with this process's pid. */
	slurp("/proc/locks");
	found = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		int id, pid;
		if (sscanf(line, "%d: %15s %15s %15s %d %*s %ld %31s", &id, kind, adv, type, &pid, &start, end) == 7 && pid == me) {
			say("/proc/locks: %s %s %s %ld %s\n", kind, adv, type, start, end);
			found++;
		}
	}
	say("/proc/locks lines for this process: %d\n", found);
	close(ro);
	close(fd);

	/* A pipe reached through /proc/self/fd is the same pipe. */
	int pp[2];
	MUST(pipe(pp));
	CHECK(write(pp[1], "piped", 5));
	snprintf(path, sizeof path, "/proc/self/fd/%d", pp[0]);
	struct stat ps;
	CHECK(stat(path, &ps));
	say("pipe through the link: fifo %d\n", S_ISFIFO(ps.st_mode));
	int pr = open(path, O_RDONLY);
	char pb[8] = {0};
	CHECK(read(pr, pb, 5));
	say("read through the link: %s\n", pb);
	close(pr);
	close(pp[0]);
	close(pp[1]);

	/* Standard input (a pipe from the test runner, or paddock's own
	 * host standard input) opens again through its link. */
	int in = open("/proc/self/fd/0", O_RDONLY);
	say("stdin reopened: %d, reads %d\n", in >= 0, in >= 0 ? (int)read(in, pb, sizeof pb) : -1);
	close(in);

	/* The fd directory lists the descriptors. */
	int seen = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) <= 2)
			seen++;
	closedir(d);
	say("fd lists 0, 1 and 2: %d\n", seen == 3);

	/* maps has the program's text. */
	slurp("/proc/self/maps");
	found = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, " r-xp ") && strstr(line, "/procfs"))
			found = 1;
	say("maps has the text: %d\n", found);

	/* smaps_rollup: the rollup line, then Linux's fields in order. */
	slurp("/proc/self/smaps_rollup");
	say("smaps_rollup: rollup line %d\n", strstr(buf, " [rollup]\n") != NULL);
	char *line = strchr(buf, '\n');
	while (line && line[1]) {
		char fname[32];
		unsigned long kb;
		if (sscanf(line + 1, "%31[^:]: %lu kB", fname, &kb) == 2)
			say("  %s%s\n", fname, strcmp(fname, "Rss") == 0 ? (kb > 0 ? " > 0" : " = 0") : "");
		line = strchr(line + 1, '\n');
	}

	/* limits: exactly Linux's layout. Every limit is lowered to a value
	 * at or below both Linux's and paddock's defaults (only lowering is
	 * sure to be allowed: a container may lack CAP_SYS_RESOURCE), so
	 * that the file reads the same on any host. */
	static const struct { rlim_t cur, max; } want[RLIM_NLIMITS] = {
		[RLIMIT_CPU] = { 1000, 2000 },
		[RLIMIT_FSIZE] = { 1001, 2001 },
		[RLIMIT_DATA] = { 1ULL << 40, 1ULL << 40 },
		[RLIMIT_STACK] = { 8 << 20, 1 << 30 },
		[RLIMIT_CORE] = { 0, 0 },
		[RLIMIT_RSS] = { 1005, 2005 },
		[RLIMIT_NPROC] = { 1006, 2006 },
		[RLIMIT_NOFILE] = { 64, 128 },
		[RLIMIT_MEMLOCK] = { 65536, 65536 },
		[RLIMIT_AS] = { 1ULL << 40, 1ULL << 40 },
		[RLIMIT_LOCKS] = { 1010, 2010 },
		[RLIMIT_SIGPENDING] = { 1011, 2011 },
		[RLIMIT_MSGQUEUE] = { 1012, 2012 },
		[RLIMIT_NICE] = { 0, 0 },
		[RLIMIT_RTPRIO] = { 0, 0 },
		[RLIMIT_RTTIME] = { 1015, 2015 },
	};
	struct rlimit rl;
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		getrlimit(r, &rl);
		if (rl.rlim_max > want[r].max)
			rl.rlim_max = want[r].max;
		rl.rlim_cur = want[r].cur < rl.rlim_max ? want[r].cur : rl.rlim_max;
		if (setrlimit(r, &rl) < 0)
			say("setrlimit %d: %s\n", r, errname(errno));
	}
	slurp("/proc/self/limits");
	fputs(buf, stdout);

	/* task lists the threads. */
	int p[2];
	pipe(p);
	pthread_t th;
	pthread_create(&th, NULL, idle_thread, p);
	msleep(50);
	int tasks = 0;
	d = opendir("/proc/self/task");
	while ((e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]))
			tasks++;
	closedir(d);
	read_stat("/proc/self/stat", &s);
	say("threads: task entries %d stat %d\n", tasks, s.threads);
	write(p[1], "x", 1);
	pthread_join(th, NULL);

	/* Other processes: sleeping, stopped, zombie; PF_FORKNOEXEC. */
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	child_state("S", c);
	snprintf(path, sizeof path, "/proc/%d/stat", c);
	read_stat(path, &s);
	say("child: ppid is me %d forknoexec %d comm %s started after me %d\n", s.ppid == me, !!(s.flags & 0x40), s.comm,
	    s.start >= mystart);
	kill(c, SIGSTOP);
	child_state("T", c);
	kill(c, SIGKILL);
	child_state("Z", c);
	reap(c);
	snprintf(path, sizeof path, "/proc/%d", c);
	say("reaped child's directory: %s\n", access(path, F_OK) == 0 ? "present" : errname(errno));

	/* Global files. */
	double up, idle;
	slurp("/proc/uptime");
	say("uptime: %d\n", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0);
	double l1, l5, l15;
	int run, total, last;
	slurp("/proc/loadavg");
	say("loadavg: %d\n", sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last) == 6 && run >= 1 && total >= run);
	slurp("/proc/stat");
	unsigned long long cpu[10];
	say("stat: cpu line %d btime %d processes %d\n",
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &cpu[0], &cpu[1], &cpu[2], &cpu[3], &cpu[4],
		   &cpu[5], &cpu[6], &cpu[7], &cpu[8], &cpu[9]) == 10,
	    strstr(buf, "\nbtime ") != NULL, strstr(buf, "\nprocesses ") != NULL);
	slurp("/proc/meminfo");
	say("meminfo starts: %.8s %d\n", buf, strstr(buf, "\nMemAvailable:") != NULL);
	slurp("/proc/cpuinfo");
	say("cpuinfo: processor %d flags %d\n", strncmp(buf, "processor\t: 0", 13) == 0, strstr(buf, "\nflags\t\t: ") != NULL);
	slurp("/proc/sys/kernel/ostype");
	say("ostype: %s", buf);
	/* pid_max differs between hosts (systemd raises it). */
	slurp("/proc/sys/kernel/pid_max");
	say("pid_max at least 32768: %d\n", atoi(buf) >= 32768);
	char boot1[128], boot2[128];
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(boot1, sizeof boot1, "%.64s", buf);
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(boot2, sizeof boot2, "%.64s", buf);
	say("boot_id: length %d stable %d\n", (int)strlen(boot1), strcmp(boot1, boot2) == 0);
	slurp("/proc/sys/kernel/random/uuid");
	snprintf(boot1, sizeof boot1, "%.64s", buf);
	slurp("/proc/sys/kernel/random/uuid");
	say("uuid: length %d fresh %d\n", (int)strlen(boot1), strcmp(boot1, buf) != 0);
	slurp("/proc/self/mounts");
	say("mounts has /proc: %d\n", strstr(buf, " /proc proc ") != NULL);
	fd = CHECK(open("/proc/self/stat", O_WRONLY));
	CHECK(write(fd, "x", 1));
	close(fd);
	CHECK(unlink("/proc/self/stat"));
	CHECK(mkdir("/proc/newdir", 0755));
	CHECK(open("/proc/999999/stat", O_RDONLY));
	unlink("data");
	return 0;
}
