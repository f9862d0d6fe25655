/* tty: pseudo-terminals and controlling terminals: ptmx and pts, the line
 * discipline's defaults (canonical lines, erase, EOF, echo, CR NL), raw
 * mode, TIOCSCTTY, TIOCGSID, TIOCGPGRP and TIOCSPGRP with their rules,
 * SIGTTIN and SIGTTOU for background groups, ^C, and the hangup when the
 * master closes. Exits 77 (skip) natively where the host has no ptys. */
#include "guest.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

static void show(const char *what, const char *b, int n)
{
	say("%s: %d \"", what, n);
	for (int i = 0; i < n; i++) {
		unsigned char c = b[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	say("\"\n");
}

/* drain reads what the master has, waiting briefly for it. */
static void drain(const char *what, int m)
{
	char b[256];
	msleep(20);
	int n = read(m, b, sizeof b);
	show(what, b, n < 0 ? 0 : n);
}

static volatile sig_atomic_t got_hup, got_cont, got_int;
static void onhup(int s) { (void)s; got_hup++; }
static void oncont(int s) { (void)s; got_cont++; }
static void onint(int s) { (void)s; got_int++; }
static volatile sig_atomic_t got_winch;
static void onwinch(int s) { (void)s; got_winch++; }

static const char *stopsig(int st)
{
	if (WIFSTOPPED(st))
		return WSTOPSIG(st) == SIGTTIN ? "stopped by SIGTTIN" : WSTOPSIG(st) == SIGTTOU ? "stopped by SIGTTOU" : "stopped";
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 0 ? "exited 0" : "exited non-zero";
	return "killed";
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Job control needs the default actions, whatever the test runner
	 * left ignored. */
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0) {
		printf("no pseudo-terminals here: %s\n", errname(errno));
		return 77;
	}
	char *name = ptsname(m);
	if (name == NULL) {
		printf("no /dev/pts here: %s\n", errname(errno));
		return 77;
	}
	say("ptsname under /dev/pts: %d\n", strncmp(name, "/dev/pts/", 9) == 0);
	char path[64];
	snprintf(path, sizeof path, "%s", name);
	CHECK(grantpt(m));
	int early = open(path, O_RDWR | O_NOCTTY);
	say("open before unlockpt: %s\n", early < 0 ? errname(errno) : "opened");
	CHECK(unlockpt(m));
	int s = open(path, O_RDWR | O_NOCTTY);
	if (s < 0) {
		/* A host whose devpts is not mounted where ptsname says. */
		printf("cannot open the slave: %s\n", errname(errno));
		return 77;
	}
	say("isatty: master %d slave %d\n", isatty(m), isatty(s));
	struct stat st;
	fstat(s, &st);
	say("slave: char device %d major 136 %d\n", S_ISCHR(st.st_mode), major(st.st_rdev) == 136);

	struct termios t;
	tcgetattr(s, &t);
	say("termios: iflag %#o oflag %#o cflag %#o lflag %#o\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
	say("cc: intr %d quit %d erase %d kill %d eof %d min %d time %d susp %d\n", t.c_cc[VINTR], t.c_cc[VQUIT],
	    t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF], t.c_cc[VMIN], t.c_cc[VTIME], t.c_cc[VSUSP]);

	/* Output: NL becomes CR NL. */
	CHECK(write(s, "hi\n", 3));
	drain("master reads", m);
	/* Input: a line with an erase, echoed. */
	CHECK(write(m, "ab\x7f" "c\n", 5));
	char b[256];
	int n = read(s, b, sizeof b);
	show("slave reads", b, n);
	drain("echo", m);
	/* EOF ends a line without itself; alone it reads as end of file. */
	write(m, "xy\x04", 3);
	n = read(s, b, sizeof b);
	show("before EOF", b, n);
	write(m, "\x04", 1);
	n = read(s, b, sizeof b);
	show("EOF alone", b, n);
	drain("echo", m);
	/* Two lines in one write are read one at a time. */
	write(m, "one\rtwo\n", 8);
	n = read(s, b, sizeof b);
	show("first line", b, n);
	n = read(s, b, sizeof b);
	show("second line", b, n);
	drain("echo", m);

	/* Raw mode: bytes as they are, no echo. */
	struct termios raw = t;
	cfmakeraw(&raw);
	CHECK(tcsetattr(s, TCSANOW, &raw));
	write(m, "\r\n\x03", 3);
	msleep(20);
	int avail = -1;
	CHECK(ioctl(s, FIONREAD, &avail));
	say("FIONREAD %d\n", avail);
	n = read(s, b, sizeof b);
	show("raw reads", b, n);
	write(s, "\n", 1);
	drain("raw output", m);
	CHECK(tcsetattr(s, TCSANOW, &t));

	/* Not our controlling terminal. */
	pid_t pg;
	CHECK(ioctl(s, TIOCGPGRP, &pg));
	CHECK(ioctl(s, TIOCGSID, &pg));
	CHECK(ioctl(m, TIOCGPGRP, &pg));
	say("master TIOCGPGRP without a session: %d\n", pg);
	CHECK(open("/dev/tty", O_RDWR));

	int sync[2];
	char ch;
	MUST(pipe(sync));
	pid_t c = fork();
	if (c == 0) {
		/* A new session takes the terminal. */
		close(m);
		CHECK(ioctl(s, TIOCSCTTY, 0) == 0 ? 0 : -1);
		setsid();
		CHECK(ioctl(s, TIOCSCTTY, 0));
		CHECK(ioctl(s, TIOCSCTTY, 0));
		pid_t v;
		CHECK(ioctl(s, TIOCGSID, &v) == 0 && v == getpid());
		CHECK(ioctl(s, TIOCGPGRP, &v) == 0 && v == getpid());
		say("tcgetsid is me: %d tcgetpgrp is me: %d\n", tcgetsid(s) == getpid(), tcgetpgrp(s) == getpid());
		int tty = open("/dev/tty", O_RDWR);
		struct stat ts;
		fstat(tty, &ts);
		say("/dev/tty is the slave: %d\n", ts.st_rdev == st.st_rdev);
		close(tty);
		/* /proc/self/stat: tty_nr and tpgid. */
		char sb[512];
		int fd = open("/proc/self/stat", O_RDONLY);
		int k = read(fd, sb, sizeof sb - 1);
		close(fd);
		sb[k > 0 ? k : 0] = 0;
		int ttynr = 0, tpgid = 0;
		char *p = strrchr(sb, ')');
		sscanf(p + 2, "%*c %*d %*d %*d %d %d", &ttynr, &tpgid);
		unsigned mj = major(st.st_rdev), mn = minor(st.st_rdev);
		say("stat tty_nr matches: %d tpgid is me: %d\n", ttynr == (int)((mn & 0xff) | (mj << 8) | ((mn & ~0xffu) << 12)), tpgid == getpid());

		/* A background group that reads stops with SIGTTIN. */
		pid_t g = fork();
		if (g == 0) {
			setpgid(0, 0);
			read(s, b, 1);
			_exit(0);
		}
		setpgid(g, g);
		int gs;
		waitpid(g, &gs, WUNTRACED);
		say("background read: %s\n", stopsig(gs));
		kill(g, SIGKILL);
		waitpid(g, &gs, 0);
		/* Writing is allowed unless TOSTOP; then SIGTTOU, unless ignored. */
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			write(s, "bg\n", 3);
			struct termios ts2;
			tcgetattr(s, &ts2);
			ts2.c_lflag |= TOSTOP;
			tcsetattr(s, TCSANOW, &ts2);
			_exit(9);
		}
		setpgid(g, g);
		waitpid(g, &gs, WUNTRACED);
		say("background write then tcsetattr: %s\n", stopsig(gs));
		kill(g, SIGKILL);
		waitpid(g, &gs, 0);
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			struct termios ts2;
			tcgetattr(s, &ts2);
			ts2.c_lflag |= TOSTOP;
			CHECK(tcsetattr(s, TCSANOW, &ts2));
			_exit(0);
		}
		setpgid(g, g);
		waitpid(g, &gs, WUNTRACED);
		say("with SIGTTOU ignored: %s\n", stopsig(gs));
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			write(s, "x", 1);
			_exit(0);
		}
		setpgid(g, g);
		waitpid(g, &gs, WUNTRACED);
		say("background write with TOSTOP: %s\n", stopsig(gs));
		kill(g, SIGKILL);
		waitpid(g, &gs, 0);
		struct termios ts3;
		tcgetattr(s, &ts3);
		ts3.c_lflag &= ~TOSTOP;
		tcsetattr(s, TCSANOW, &ts3);

		/* tcsetpgrp: a group of the session, not an unknown one. */
		int ready[2];
		MUST(pipe(ready));
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			signal(SIGINT, onint);
			MUST(write(ready[1], "g", 1));
			for (int i = 0; i < 500 && !got_int; i++)
				msleep(10);
			say("foreground child got ^C: %d\n", got_int);
			_exit(0);
		}
		setpgid(g, g);
		/* ^C must find its handler in place. */
		MUST(read(ready[0], &ch, 1));
		CHECK(tcsetpgrp(s, 999999));
		CHECK(tcsetpgrp(s, g));
		say("foreground is the child: %d\n", tcgetpgrp(s) == g);
		/* Now we are in the background: tcsetpgrp stops us unless
		 * SIGTTOU is ignored. */
		signal(SIGTTOU, SIG_IGN);
		MUST(write(sync[1], "r", 1));
		waitpid(g, &gs, 0);
		say("foreground child: %s\n", stopsig(gs));
		CHECK(tcsetpgrp(s, getpid()));
		signal(SIGTTOU, SIG_DFL);

		/* A new window size signals the foreground group. */
		signal(SIGWINCH, onwinch);
		struct winsize ws = { .ws_row = 24, .ws_col = 80 }, back;
		CHECK(ioctl(s, TIOCSWINSZ, &ws));
		for (int i = 0; i < 100 && !got_winch; i++)
			msleep(5);
		CHECK(ioctl(s, TIOCGWINSZ, &back));
		say("SIGWINCH %d, size %dx%d\n", got_winch, back.ws_row, back.ws_col);
		got_winch = 0;
		CHECK(ioctl(s, TIOCSWINSZ, &ws));
		msleep(20);
		say("same size again, SIGWINCH %d\n", got_winch);

		/* TIOCNOTTY in a process that is not the leader: only it
		 * loses the terminal. */
		g = fork();
		if (g == 0) {
			CHECK(ioctl(s, TIOCNOTTY));
			CHECK(open("/dev/tty", O_RDWR));
			CHECK(ioctl(s, TIOCNOTTY));
			_exit(0);
		}
		waitpid(g, &gs, 0);
		int again = open("/dev/tty", O_RDWR);
		say("the leader keeps it: %d\n", again >= 0);
		close(again);

		/* The master's close hangs up: SIGHUP and SIGCONT for us, the
		 * session leader; reads end, writes fail. */
		signal(SIGHUP, onhup);
		signal(SIGCONT, oncont);
		MUST(write(sync[1], "h", 1));
		for (int i = 0; i < 200 && !got_hup; i++)
			msleep(5);
		say("after hangup: SIGHUP %d SIGCONT %d\n", got_hup, got_cont > 0);
		CHECK(read(s, b, 1));
		CHECK(write(s, "x", 1));
		CHECK(ioctl(s, TIOCGSID, &v));
		_exit(0);
	}
	MUST(read(sync[0], &ch, 1));
	CHECK(ioctl(m, TIOCGPGRP, &pg) == 0 && pg != c && pg != 0);
	write(m, "\x03", 1);
	/* The child says when its foreground child has gone. */
	MUST(read(sync[0], &ch, 1));
	drain("echo of ^C", m);
	CHECK(ioctl(s, TIOCSCTTY, 0));
	close(s);
	close(m);
	int cs;
	waitpid(c, &cs, 0);
	say("session leader: %s\n", stopsig(cs));
	return 0;
}
