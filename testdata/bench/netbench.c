/* netbench MODE N: two processes over the loopback.
 *   tcp N   one sends N MiB over TCP to 127.0.0.1, the other reads it
 *   unix N  the same over an AF_UNIX stream socketpair
 *   conn N  N TCP connections: connect, accept, close
 *   udp N   N round trips of a 64-byte datagram over UDP
 * Exits 0 when every byte and datagram arrived. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static int listener(struct sockaddr_in *a, int type)
{
	int l = socket(AF_INET, type, 0);
	socklen_t len = sizeof *a;
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)a, sizeof *a) || getsockname(l, (struct sockaddr *)a, &len))
		exit(2);
	if (type == SOCK_STREAM && listen(l, 128))
		exit(2);
	return l;
}

/* send writes n MiB to fd. */
static void send_all(int fd, long n)
{
	for (long i = 0; i < n * 16; i++) {
		for (size_t off = 0; off < sizeof buf;) {
			ssize_t k = write(fd, buf + off, sizeof buf - off);
			if (k <= 0)
				_exit(3);
			off += k;
		}
	}
	_exit(0);
}

/* drain reads fd to its end and checks there were n MiB. */
static int drain(int fd, long n)
{
	long long got = 0;
	ssize_t k;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		got += k;
	return got == (long long)n << 20 ? 0 : 4;
}

static int reap(pid_t p, int rc)
{
	int st;
	waitpid(p, &st, 0);
	return rc ? rc : WIFEXITED(st) ? WEXITSTATUS(st) : 5;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *mode = argv[1];
	long n = atol(argv[2]);
	struct sockaddr_in a;
	if (strcmp(mode, "unix") == 0) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return 2;
		pid_t p = fork();
		if (p == 0) {
			close(sv[0]);
			send_all(sv[1], n);
		}
		close(sv[1]);
		return reap(p, drain(sv[0], n));
	}
	if (strcmp(mode, "tcp") == 0) {
		int l = listener(&a, SOCK_STREAM);
		pid_t p = fork();
		if (p == 0) {
			int c = socket(AF_INET, SOCK_STREAM, 0);
			if (connect(c, (struct sockaddr *)&a, sizeof a))
				_exit(2);
			send_all(c, n);
		}
		int s = accept(l, NULL, NULL);
		return reap(p, s < 0 ? 2 : drain(s, n));
	}
	if (strcmp(mode, "conn") == 0) {
		int l = listener(&a, SOCK_STREAM);
		pid_t p = fork();
		if (p == 0) {
			for (long i = 0; i < n; i++) {
				int c = socket(AF_INET, SOCK_STREAM, 0);
				if (connect(c, (struct sockaddr *)&a, sizeof a) || read(c, buf, 1) != 0)
					_exit(2);
				close(c);
			}
			_exit(0);
		}
		for (long i = 0; i < n; i++) {
			int s = accept(l, NULL, NULL);
			if (s < 0)
				return 2;
			close(s);
		}
		return reap(p, 0);
	}
	if (strcmp(mode, "udp") == 0) {
		int srv = listener(&a, SOCK_DGRAM);
		pid_t p = fork();
		if (p == 0) {
			int c = socket(AF_INET, SOCK_DGRAM, 0);
			if (connect(c, (struct sockaddr *)&a, sizeof a))
				_exit(2);
			for (long i = 0; i < n; i++)
				if (send(c, buf, 64, 0) != 64 || recv(c, buf, sizeof buf, 0) != 64)
					_exit(3);
			_exit(0);
		}
		for (long i = 0; i < n; i++) {
			struct sockaddr_in from;
			socklen_t len = sizeof from;
			ssize_t k = recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
			if (k != 64 || sendto(srv, buf, k, 0, (struct sockaddr *)&from, len) != k)
				return 3;
		}
		return reap(p, 0);
	}
	return 2;
}
