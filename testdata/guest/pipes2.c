/* pipes2: pipes between processes: FIFOs whose open blocks until the
 * other end comes (and is interrupted by a signal), O_RDWR opens that do
 * not block, atomic PIPE_BUF writes from concurrent writers, O_DIRECT
 * packets, and SIGPIPE. */
#include "guest.h"
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static void handler(int sig) { (void)sig; }

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	unlink("/tmp/pipes2-fifo");
	MUST(mkfifo("/tmp/pipes2-fifo", 0600));

	/* A reader's open waits for a writer, and the other way round. */
	pid_t k = fork();
	if (k == 0) {
		msleep(30);
		int w = open("/tmp/pipes2-fifo", O_WRONLY);
		write(w, "hello", 5);
		close(w);
		_exit(0);
	}
	int r = CHECK(open("/tmp/pipes2-fifo", O_RDONLY));
	char buf[64] = { 0 };
	CHECK(read(r, buf, sizeof buf));
	say("read \"%s\"\n", buf);
	CHECK(read(r, buf, sizeof buf));
	close(r);
	waitpid(k, NULL, 0);
	k = fork();
	if (k == 0) {
		msleep(30);
		int rr = open("/tmp/pipes2-fifo", O_RDONLY);
		char b[8] = { 0 };
		read(rr, b, sizeof b - 1);
		_exit(strcmp(b, "back") == 0 ? 0 : 1);
	}
	int w = CHECK(open("/tmp/pipes2-fifo", O_WRONLY));
	CHECK(write(w, "back", 4));
	close(w);
	int st;
	waitpid(k, &st, 0);
	say("reader got it: %d\n", WEXITSTATUS(st) == 0);

	/* O_RDWR never waits. */
	int rw = CHECK(open("/tmp/pipes2-fifo", O_RDWR));
	CHECK(write(rw, "self", 4));
	CHECK(read(rw, buf, 4));
	close(rw);

	/* A blocked open is interrupted by a handled signal: EINTR. */
	struct sigaction sa = { 0 };
	sa.sa_handler = handler;
	sigaction(SIGALRM, &sa, NULL);
	k = pester(SIGALRM);
	CHECK(open("/tmp/pipes2-fifo", O_RDONLY));
	reap(k);

	/* poll on a FIFO with a writer that comes later. */
	r = CHECK(open("/tmp/pipes2-fifo", O_RDONLY | O_NONBLOCK));
	struct pollfd pf = { r, POLLIN, 0 };
	CHECK(poll(&pf, 1, 0));
	int sync[2];
	pipe(sync);
	k = fork();
	if (k == 0) {
		int ww = open("/tmp/pipes2-fifo", O_WRONLY);
		msleep(20);
		write(ww, "x", 1);
		/* Stay until the parent has polled, so that it sees no hang-up. */
		char c;
		read(sync[0], &c, 1);
		_exit(0);
	}
	CHECK(poll(&pf, 1, 5000));
	say("revents %#x\n", pf.revents);
	write(sync[1], "g", 1);
	waitpid(k, NULL, 0);
	CHECK(poll(&pf, 1, 0));
	say("after the writer left: %#x\n", pf.revents);
	close(r);
	unlink("/tmp/pipes2-fifo");

	/* Writers of PIPE_BUF bytes at most never interleave. */
	int p[2];
	pipe(p);
	int nw = 4;
	for (int i = 0; i < nw; i++) {
		if (fork() == 0) {
			close(p[0]);
			char chunk[PIPE_BUF];
			memset(chunk, 'a' + i, sizeof chunk);
			for (int j = 0; j < 16; j++)
				write(p[1], chunk, sizeof chunk);
			_exit(0);
		}
	}
	close(p[1]);
	static char all[PIPE_BUF * 64];
	long got = 0, n;
	while ((n = read(p[0], all + got, sizeof all - got)) > 0)
		got += n;
	int torn = 0;
	for (long off = 0; off < got; off += PIPE_BUF)
		for (long j = 1; j < PIPE_BUF; j++)
			if (all[off + j] != all[off])
				torn = 1;
	say("read %ld bytes, torn chunks %d\n", got, torn);
	while (wait(NULL) > 0)
		;
	close(p[0]);

	/* O_DIRECT: each write is a packet; a read takes at most one. */
	MUST(pipe2(p, O_DIRECT));
	write(p[1], "one", 3);
	write(p[1], "two!", 4);
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	say("packet \"%s\"\n", buf);
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, 2));
	say("short read of a packet \"%s\"\n", buf);
	write(p[1], "three", 5);
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	say("next packet \"%s\"\n", buf);
	say("O_DIRECT in flags: reader %d writer %d\n", !!(fcntl(p[0], F_GETFL) & O_DIRECT), !!(fcntl(p[1], F_GETFL) & O_DIRECT));
	/* Packet mode comes and goes with the writer's O_DIRECT. */
	CHECK(fcntl(p[1], F_SETFL, 0));
	write(p[1], "ab", 2);
	write(p[1], "cd", 2);
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	say("stream again \"%s\"\n", buf);
	close(p[0]);
	close(p[1]);

	/* SIGPIPE ends a writer whose reader is gone. */
	pipe(p);
	k = fork();
	if (k == 0) {
		close(p[0]);
		msleep(20);
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[0]);
	close(p[1]);
	waitpid(k, &st, 0);
	say("writer killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 0;
}
