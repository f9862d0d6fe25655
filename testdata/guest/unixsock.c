/* unixsock: AF_UNIX sockets of the three types: socketpair, paths in the
 * file system, the abstract namespace, autobind, listen and accept,
 * datagrams between named sockets, message boundaries, shutdown, EOF and
 * EPIPE, SCM_RIGHTS across fork, SO_PEERCRED and SCM_CREDENTIALS, and
 * the errors of each call. */
#include "guest.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t addr_of(struct sockaddr_un *a, const char *path, int abstract)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, path, strlen(path));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	}
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* show_name prints what getsockname or getpeername said. */
static void show_name(const char *what, struct sockaddr_un *a, socklen_t len)
{
	socklen_t base = offsetof(struct sockaddr_un, sun_path);
	if (len <= base)
		say("%s: unnamed (len %d)\n", what, (int)len);
	else if (a->sun_path[0] == 0)
		say("%s: abstract, %d bytes (len %d)\n", what, (int)(len - base - 1), (int)len);
	else
		say("%s: \"%s\" (len %d)\n", what, a->sun_path, (int)len);
}

static int revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	poll(&p, 1, 0);
	return p.revents;
}

static void pairs(void)
{
	int sv[2];
	char buf[64];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct stat st;
	fstat(sv[0], &st);
	say("S_ISSOCK %d\n", S_ISSOCK(st.st_mode));
	CHECK(write(sv[0], "hello", 5));
	CHECK(write(sv[0], " world", 6));
	memset(buf, 0, sizeof buf);
	CHECK(read(sv[1], buf, sizeof buf));
	say("stream merges writes: \"%s\"\n", buf);
	say("readiness of the empty end %#x\n", revents(sv[1]));
	CHECK(shutdown(sv[0], SHUT_WR));
	say("readiness after the peer's SHUT_WR %#x\n", revents(sv[1]));
	CHECK(read(sv[1], buf, sizeof buf));
	CHECK(write(sv[0], "x", 1));
	CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL));
	CHECK(write(sv[1], "back", 4));
	CHECK(read(sv[0], buf, sizeof buf));
	close(sv[1]);
	say("readiness after the peer closed %#x\n", revents(sv[0]));
	CHECK(read(sv[0], buf, sizeof buf));
	close(sv[0]);

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK(write(sv[0], "one", 3));
	CHECK(write(sv[0], "two!", 4));
	CHECK(read(sv[1], buf, 2));
	CHECK(recv(sv[1], buf, sizeof buf, MSG_PEEK));
	CHECK(recv(sv[1], buf, 1, MSG_TRUNC));
	CHECK(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK(write(sv[0], "first", 5));
	CHECK(write(sv[0], "second", 6));
	struct iovec iov = { buf, 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK(recvmsg(sv[1], &mh, 0));
	say("seqpacket truncated: MSG_TRUNC %d\n", (mh.msg_flags & MSG_TRUNC) != 0);
	CHECK(read(sv[1], buf, sizeof buf));
	close(sv[0]);
	CHECK(read(sv[1], buf, sizeof buf));
	close(sv[1]);

	CHECK(socketpair(AF_INET, SOCK_STREAM, 0, sv));
	CHECK(socketpair(AF_UNIX, 99, 0, sv));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 7, sv));
	CHECK(socket(12345, SOCK_STREAM, 0));
}

static void named(void)
{
	struct sockaddr_un a, b;
	socklen_t la, lb;
	char buf[64];
	unlink("srv.sock");
	int l = CHECK(socket(AF_UNIX, SOCK_STREAM, 0));
	la = addr_of(&a, "srv.sock", 0);
	CHECK(listen(l, 5));
	CHECK(bind(l, (struct sockaddr *)&a, la));
	CHECK(bind(l, (struct sockaddr *)&a, la));
	struct stat st;
	CHECK(stat("srv.sock", &st));
	say("a socket file: %d, mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(other, (struct sockaddr *)&a, la));
	close(other);
	CHECK(listen(l, 5));
	lb = sizeof b;
	CHECK(getsockname(l, (struct sockaddr *)&b, &lb));
	show_name("listener's name", &b, lb);

	int c = CHECK(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK(connect(c, (struct sockaddr *)&a, la));
	CHECK(connect(c, (struct sockaddr *)&a, la));
	lb = sizeof b;
	CHECK(getsockname(c, (struct sockaddr *)&b, &lb));
	show_name("client's name", &b, lb);
	lb = sizeof b;
	CHECK(getpeername(c, (struct sockaddr *)&b, &lb));
	show_name("client's peer", &b, lb);
	say("listener readable with a pending connection %#x\n", revents(l) & POLLIN);
	lb = sizeof b;
	int s = CHECK(accept(l, (struct sockaddr *)&b, &lb));
	show_name("accepted from", &b, lb);
	lb = sizeof b;
	CHECK(getsockname(s, (struct sockaddr *)&b, &lb));
	show_name("accepted socket's name", &b, lb);
	struct ucred cr;
	socklen_t lc = sizeof cr;
	CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &lc));
	say("peer cred: pid is ours %d, uid %d\n", cr.pid == getpid(), (int)cr.uid);
	int v;
	socklen_t lv = sizeof v;
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &lv));
	say("SO_ACCEPTCONN %d\n", v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &lv));
	say("SO_TYPE %d\n", v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &lv));
	say("SO_DOMAIN %d\n", v);
	CHECK(getsockopt(s, SOL_SOCKET, 9999, &v, &lv));
	CHECK(write(c, "ping", 4));
	CHECK(read(s, buf, sizeof buf));
	close(s);
	close(c);
	/* With the listener gone, the name is a stale socket file. */
	close(l);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, la));
	close(c);
	CHECK(unlink("srv.sock"));

	/* Connecting to what is no socket, or to nothing. */
	write_file("plain", "x");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	la = addr_of(&a, "plain", 0);
	CHECK(connect(c, (struct sockaddr *)&a, la));
	la = addr_of(&a, "nothing", 0);
	CHECK(connect(c, (struct sockaddr *)&a, la));
	unlink("plain");
	close(c);
}

static void abstract_and_dgram(void)
{
	struct sockaddr_un a, b;
	socklen_t la, lb;
	char buf[64];
	int r = CHECK(socket(AF_UNIX, SOCK_DGRAM, 0));
	la = addr_of(&a, "paddock-test-dgram", 1);
	CHECK(bind(r, (struct sockaddr *)&a, la));
	int again = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(again, (struct sockaddr *)&a, la));
	close(again);
	int s = CHECK(socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK(sendto(s, "unnamed", 7, 0, (struct sockaddr *)&a, la));
	lb = sizeof b;
	CHECK(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&b, &lb));
	show_name("datagram from", &b, lb);
	/* Autobind: a bind with only the family picks an abstract name. */
	b.sun_family = AF_UNIX;
	CHECK(bind(s, (struct sockaddr *)&b, sizeof(sa_family_t)));
	lb = sizeof b;
	CHECK(getsockname(s, (struct sockaddr *)&b, &lb));
	show_name("autobound", &b, lb);
	CHECK(sendto(s, "named", 5, 0, (struct sockaddr *)&a, la));
	lb = sizeof b;
	CHECK(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&b, &lb));
	show_name("datagram from", &b, lb);
	CHECK(send(s, "nowhere", 7, 0));
	CHECK(connect(s, (struct sockaddr *)&a, la));
	CHECK(send(s, "connected", 9, 0));
	CHECK(recv(r, buf, sizeof buf, 0));
	CHECK(recv(r, buf, sizeof buf, MSG_DONTWAIT));
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(st, (struct sockaddr *)&a, la));
	close(st);
	close(s);
	close(r);
	la = addr_of(&a, "paddock-test-nobody", 1);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(sendto(s, "x", 1, 0, (struct sockaddr *)&a, la));
	a.sun_family = AF_INET;
	CHECK(sendto(s, "x", 1, 0, (struct sockaddr *)&a, la));
	CHECK(bind(s, (struct sockaddr *)&a, 1));
	close(s);
}

static void rights_and_creds(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int one = 1;
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
	write_file("passed", "the passed file");
	pid_t k = fork();
	if (k == 0) {
		int fd = open("passed", O_RDONLY);
		char cbuf[CMSG_SPACE(sizeof(int))];
		memset(cbuf, 0, sizeof cbuf);
		struct iovec iov = { "F", 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
		_exit(sendmsg(sv[0], &mh, 0) == 1 ? 0 : 1);
	}
	int st;
	waitpid(k, &st, 0);
	say("the child sent: %d\n", WEXITSTATUS(st));
	char data[8];
	char cbuf[256];
	struct iovec iov = { data, sizeof data };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	CHECK(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
			say("SCM_RIGHTS: %d descriptor(s), close-on-exec %d\n", (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)),
			    fcntl(fd, F_GETFD) == FD_CLOEXEC);
			char buf[32] = { 0 };
			CHECK(read(fd, buf, sizeof buf - 1));
			say("read through it: \"%s\"\n", buf);
			close(fd);
		} else if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;
			memcpy(&u, CMSG_DATA(c), sizeof u);
			say("SCM_CREDENTIALS: pid is the child's %d, uid %d\n", u.pid == k, (int)u.uid);
		}
	}
	unlink("passed");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	pairs();
	named();
	abstract_and_dgram();
	rights_and_creds();
	return 0;
}
