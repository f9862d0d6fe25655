/* inetsock: TCP and UDP over the IPv4 and IPv6 loopback: listen and
 * accept on an ephemeral port, connect blocking and not (EINPROGRESS,
 * then writability and SO_ERROR), a refused connection, addresses in
 * use, half-close and end of file, a reset from a close with unread
 * data, datagrams with their sources, a dual-stack listener, socket
 * options, and an epoll echo server for several clients. Ports are
 * ephemeral and never printed: the native run shares the host's loopback
 * with everything else. */
#include "guest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static struct sockaddr_in loop4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* listener makes a listening TCP socket on 127.0.0.1 and an ephemeral
 * port, and returns the port. */
static int listener(int *port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loop4(0);
	MUST(bind(l, (struct sockaddr *)&a, sizeof a));
	MUST(listen(l, 16));
	socklen_t len = sizeof a;
	MUST(getsockname(l, (struct sockaddr *)&a, &len));
	*port = ntohs(a.sin_port);
	return l;
}

static void tcp4(void)
{
	char buf[64];
	int port;
	int l = listener(&port);
	say("ephemeral port %d\n", port > 1024);
	int c = CHECK(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in a = loop4(port);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a));
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;
	int s = CHECK(accept(l, (struct sockaddr *)&peer, &len));
	struct sockaddr_in me;
	socklen_t ml = sizeof me;
	getsockname(c, (struct sockaddr *)&me, &ml);
	say("accepted from the client's address %d, len %d\n",
	    peer.sin_port == me.sin_port && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), (int)len);
	len = sizeof peer;
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len));
	say("the client's peer is the listener's port %d\n", ntohs(peer.sin_port) == port);
	CHECK(write(c, "hello", 5));
	CHECK(read(s, buf, sizeof buf));
	CHECK(send(s, "world", 5, 0));
	CHECK(recv(c, buf, 2, MSG_PEEK));
	CHECK(recv(c, buf, sizeof buf, MSG_WAITALL | MSG_DONTWAIT));
	CHECK(shutdown(c, SHUT_WR));
	CHECK(read(s, buf, sizeof buf));
	CHECK(write(s, "after", 5));
	CHECK(read(c, buf, sizeof buf));
	CHECK(write(c, "x", 1));
	close(s);
	CHECK(read(c, buf, sizeof buf));
	close(c);

	/* A close with unread data resets the connection. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a));
	s = accept(l, NULL, NULL);
	CHECK(write(c, "unread", 6));
	struct pollfd p = { .fd = s, .events = POLLIN };
	poll(&p, 1, -1);
	close(s);
	CHECK(read(c, buf, sizeof buf));
	close(c);

	/* Options. */
	int v;
	socklen_t vl = sizeof v;
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl));
	say("SO_TYPE %d\n", v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &vl));
	say("SO_DOMAIN %d\n", v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &v, &vl));
	say("SO_PROTOCOL %d\n", v);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	say("SO_ACCEPTCONN %d\n", v);
	v = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
	say("TCP_NODELAY %d\n", v);
	v = 1;
	CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
	CHECK(getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, &vl));
	say("SO_KEEPALIVE %d\n", v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl));
	say("SO_ERROR %d\n", v);
	CHECK(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &v, 2));
	close(c);

	/* Addresses in use, and SO_REUSEADDR. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(c, (struct sockaddr *)&a, sizeof a));
	close(c);
	close(l);

	/* A refused connection: the port is free now. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a));
	close(c);

	/* Non-blocking connect. */
	l = listener(&port);
	a = loop4(port);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&a, sizeof a);
	say("non-blocking connect: %s\n", r == 0 ? "done at once" : errno == EINPROGRESS ? "in progress" : errname(errno));
	p.fd = c;
	p.events = POLLOUT;
	CHECK(poll(&p, 1, 5000));
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl));
	say("SO_ERROR after %d\n", v);
	s = CHECK(accept4(l, NULL, NULL, SOCK_NONBLOCK));
	say("the accepted socket is non-blocking %d\n", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
	close(s);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK(accept4(l, NULL, NULL, 0));
	close(c);
	close(l);
	CHECK(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	CHECK(listen(socket(AF_INET, SOCK_DGRAM, 0), 5));
}

static void udp(void)
{
	char buf[64];
	int r = CHECK(socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in a = loop4(0);
	CHECK(bind(r, (struct sockaddr *)&a, sizeof a));
	socklen_t len = sizeof a;
	getsockname(r, (struct sockaddr *)&a, &len);
	int s = CHECK(socket(AF_INET, SOCK_DGRAM, 0));
	CHECK(sendto(s, "first", 5, 0, (struct sockaddr *)&a, sizeof a));
	CHECK(sendto(s, "second!", 7, 0, (struct sockaddr *)&a, sizeof a));
	struct sockaddr_in from, me;
	len = sizeof from;
	CHECK(recvfrom(r, buf, 3, 0, (struct sockaddr *)&from, &len));
	socklen_t ml = sizeof me;
	getsockname(s, (struct sockaddr *)&me, &ml);
	say("from the sender's port %d\n", from.sin_port == me.sin_port);
	CHECK(recv(r, buf, sizeof buf, MSG_PEEK));
	CHECK(recv(r, buf, 2, MSG_TRUNC));
	CHECK(recv(r, buf, sizeof buf, MSG_DONTWAIT));
	CHECK(connect(s, (struct sockaddr *)&a, sizeof a));
	CHECK(send(s, "connected", 9, 0));
	CHECK(recv(r, buf, sizeof buf, 0));
	CHECK(send(r, "nowhere", 7, 0));
	close(s);
	close(r);
}

static void tcp6(void)
{
	char buf[64];
	int l = CHECK(socket(AF_INET6, SOCK_STREAM, 0));
	int off = 0;
	CHECK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
	CHECK(bind(l, (struct sockaddr *)&a, sizeof a));
	CHECK(listen(l, 4));
	socklen_t len = sizeof a;
	getsockname(l, (struct sockaddr *)&a, &len);
	int port = ntohs(a.sin6_port);
	/* An IPv6 client on ::1, and an IPv4 one on the same dual-stack
	 * listener. */
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_loopback };
	CHECK(connect(c6, (struct sockaddr *)&to6, sizeof to6));
	struct sockaddr_in6 peer;
	len = sizeof peer;
	int s6 = CHECK(accept(l, (struct sockaddr *)&peer, &len));
	char txt[64];
	say("accepted from %s, len %d\n", inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof txt), (int)len);
	CHECK(write(c6, "six", 3));
	CHECK(read(s6, buf, sizeof buf));
	int c4 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to4 = loop4(port);
	CHECK(connect(c4, (struct sockaddr *)&to4, sizeof to4));
	len = sizeof peer;
	int s4 = CHECK(accept(l, (struct sockaddr *)&peer, &len));
	say("accepted from %s\n", inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof txt));
	close(s4);
	close(c4);
	close(s6);
	close(c6);
	close(l);
}

/* echo serves n clients, each of which sends its number and reads it
 * back doubled, from one epoll loop. */
static void echo(void)
{
	enum { N = 6 };
	int port;
	int l = listener(&port);
	for (int i = 0; i < N; i++) {
		if (fork() == 0) {
			int c = socket(AF_INET, SOCK_STREAM, 0);
			struct sockaddr_in a = loop4(port);
			if (connect(c, (struct sockaddr *)&a, sizeof a) < 0)
				_exit(100);
			char m[8];
			snprintf(m, sizeof m, "%d", i);
			write(c, m, strlen(m));
			char got[16] = { 0 };
			int n = read(c, got, sizeof got - 1);
			_exit(n > 0 && atoi(got) == 2 * i ? 0 : 101);
		}
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	int served = 0, accepted = 0;
	while (served < N) {
		struct epoll_event got[8];
		int n = epoll_wait(ep, got, 8, 5000);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			int fd = got[i].data.fd;
			if (fd == l) {
				int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
				if (s >= 0) {
					accepted++;
					struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = s };
					epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
				}
				continue;
			}
			char m[16] = { 0 };
			int k = read(fd, m, sizeof m - 1);
			if (k > 0) {
				char out[16];
				snprintf(out, sizeof out, "%d", 2 * atoi(m));
				write(fd, out, strlen(out));
				served++;
			}
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
		}
	}
	int ok = 0, st;
	while (wait(&st) > 0)
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	say("echo: accepted %d, served %d, clients satisfied %d\n", accepted, served, ok);
	close(ep);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	tcp4();
	udp();
	tcp6();
	echo();
	return 0;
}
