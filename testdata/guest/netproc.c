/* netproc: what /proc/net and the socket ioctls say about a known set of
 * sockets: TCP and UDP over IPv4 and IPv6 loopback (a listener, both ends
 * of a connection with unread data, bound and connected datagram
 * sockets, a socket never bound), Unix sockets (a listener on a path, an
 * accepted pair, a socketpair, an abstract datagram socket) and a netlink
 * socket. The rows are matched to the program's own descriptors by inode,
 * so that the host's other sockets do not matter natively, and ephemeral
 * ports and the pid are printed as names. */
#include "guest.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

/* musl ships no kernel headers: the little of linux/netlink.h and
 * linux/sockios.h this needs. */
#define NETLINK_ROUTE 0
struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	unsigned nl_pid, nl_groups;
};
#define SIOCINQ FIONREAD
#define SIOCOUTQ TIOCOUTQ

struct known {
	const char *label;
	unsigned long ino;
};
static struct known known[32];
static int nknown;
static unsigned ports[8];
static int nports;

/* add names descriptor fd's socket label in the listings. */
static void add(const char *label, int fd)
{
	struct stat st;
	MUST(fstat(fd, &st));
	known[nknown].label = label;
	known[nknown++].ino = st.st_ino;
}

static const char *label_of(unsigned long ino)
{
	for (int i = 0; i < nknown; i++)
		if (known[i].ino == ino)
			return known[i].label;
	return NULL;
}

/* port_name prints a port as P0, P1 ... in the order they were made. */
static const char *port_name(unsigned port)
{
	static char buf[4][16];
	static int n;
	char *b = buf[n++ % 4];
	if (port == 0)
		return "0";
	for (int i = 0; i < nports; i++)
		if (ports[i] == port) {
			snprintf(b, 16, "P%d", i);
			return b;
		}
	snprintf(b, 16, "other");
	return b;
}

static unsigned port_of(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	MUST(getsockname(fd, (struct sockaddr *)&a, &len));
	unsigned p = a.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&a)->sin_port)
					    : ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	ports[nports++] = p;
	return p;
}

/* Rows are printed sorted, since the kernel lists them by hash bucket. */
static char rows[64][256];
static int nrows;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void flush(void)
{
	qsort(rows, nrows, sizeof rows[0], cmp);
	for (int i = 0; i < nrows; i++)
		say("%s\n", rows[i]);
	nrows = 0;
}

/* inet lists /proc/net/NAME: its header as it is, and the known rows'
 * addresses, state, queues and owner. */
static void inet(const char *name, int udp)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/net/%s", name);
	FILE *f = fopen(path, "r");
	if (!f) {
		say("%s: %s\n", path, errname(errno));
		return;
	}
	if (fgets(line, sizeof line, f))
		say("%s header (%zu): %s", name, strlen(line), line);
	while (fgets(line, sizeof line, f)) {
		char laddr[40], raddr[40];
		unsigned lport, rport, st, tx, rx, uid;
		unsigned long ino;
		int n = sscanf(line, "%*d: %39[0-9A-F]:%X %39[0-9A-F]:%X %X %X:%X %*X:%*X %*X %u %*d %lu", laddr, &lport,
			       raddr, &rport, &st, &tx, &rx, &uid, &ino);
		const char *label = n == 9 ? label_of(ino) : NULL;
		if (!label)
			continue;
		int fields = 0;
		for (char *p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
			fields++;
		char *r = rows[nrows++];
		/* UDP's rx_queue is memory in Linux, not bytes: only
		 * whether anything waits. */
		snprintf(r, sizeof rows[0], "  %s: %s:%s %s:%s st %02X %s %s uid %s fields %d", label, laddr,
			 port_name(lport), raddr, port_name(rport), st,
			 /* The client's bytes are unacknowledged until the
			  * server's kernel acknowledges them, at its pace. */
			 udp || strcmp(label, "tcp-client") == 0 ? "" : (tx == 0 ? "tx 0" : "tx >0"),
			 udp ? (rx > 0 ? "rx >0" : "rx 0") : (snprintf(path, sizeof path, "rx %u", rx), path),
			 uid == getuid() ? "mine" : "other", fields);
	}
	fclose(f);
	flush();
}

/* unixes lists /proc/net/unix's header and known rows. */
static void unixes(void)
{
	char line[512], pidname[32];
	snprintf(pidname, sizeof pidname, "@netproc-%d", getpid());
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f) {
		say("/proc/net/unix: %s\n", errname(errno));
		return;
	}
	if (fgets(line, sizeof line, f))
		say("unix header: %s", line);
	while (fgets(line, sizeof line, f)) {
		unsigned proto, flags, type, st;
		unsigned long ino;
		char p[128] = "";
		int n = sscanf(line, "%*x: %*X %X %X %X %X %lu %127s", &proto, &flags, &type, &st, &ino, p);
		const char *label = n >= 5 ? label_of(ino) : NULL;
		if (!label)
			continue;
		snprintf(rows[nrows++], sizeof rows[0], "  %s: proto %X flags %08X type %04X st %02X path %s", label, proto,
			 flags, type, st, strcmp(p, pidname) == 0 ? "@netproc-PID" : p);
	}
	fclose(f);
	flush();
}

/* netlinks lists /proc/net/netlink's header and known row. */
static void netlinks(void)
{
	char line[512];
	FILE *f = fopen("/proc/net/netlink", "r");
	if (!f) {
		say("/proc/net/netlink: %s\n", errname(errno));
		return;
	}
	if (fgets(line, sizeof line, f))
		say("netlink header: %s", line);
	while (fgets(line, sizeof line, f)) {
		int proto;
		unsigned pid, groups;
		unsigned long ino;
		if (sscanf(line, "%*x %d %u %x %*d %*d %*d %*d %*u %lu", &proto, &pid, &groups, &ino) != 4)
			continue;
		const char *label = label_of(ino);
		if (label)
			say("  %s: proto %d pid %s groups %08x\n", label, proto, pid == (unsigned)getpid() ? "mine" : "other",
			    groups);
	}
	fclose(f);
}

/* lines prints the lines of a file that contain what. */
static void lines(const char *path, const char *what)
{
	char line[512];
	FILE *f = fopen(path, "r");
	if (!f) {
		say("%s: %s\n", path, errname(errno));
		return;
	}
	while (fgets(line, sizeof line, f))
		if (strstr(line, what))
			say("%s: %s", path, line);
	fclose(f);
}

/* devlo prints how /proc/net/dev names lo and how many counters it has:
 * their values are the host's natively. */
static void devlo(void)
{
	char line[512];
	FILE *f = fopen("/proc/net/dev", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!colon || !strstr(line, "lo:"))
			continue;
		*colon = 0;
		int fields = 0;
		for (char *p = strtok(colon + 1, " \n"); p; p = strtok(NULL, " \n"))
			fields++;
		say("/proc/net/dev: [%s:] and %d counters\n", line, fields);
	}
	fclose(f);
}

static void ifreq(int fd, unsigned long req, const char *reqname, const char *name)
{
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strncpy(r.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, req, &r) < 0) {
		say("%s %s: %s\n", reqname, name, errname(errno));
		return;
	}
	switch (req) {
	case SIOCGIFINDEX:
		say("%s %s: %d\n", reqname, name, r.ifr_ifindex);
		break;
	case SIOCGIFFLAGS:
		say("%s %s: %#x\n", reqname, name, r.ifr_flags & 0xffff);
		break;
	case SIOCGIFMTU:
		say("%s %s: %d\n", reqname, name, r.ifr_mtu);
		break;
	case SIOCGIFTXQLEN:
		say("%s %s: %d\n", reqname, name, r.ifr_qlen);
		break;
	case SIOCGIFHWADDR:
		say("%s %s: family %d %02x:%02x:%02x:%02x:%02x:%02x\n", reqname, name, r.ifr_hwaddr.sa_family,
		    (unsigned char)r.ifr_hwaddr.sa_data[0], (unsigned char)r.ifr_hwaddr.sa_data[1],
		    (unsigned char)r.ifr_hwaddr.sa_data[2], (unsigned char)r.ifr_hwaddr.sa_data[3],
		    (unsigned char)r.ifr_hwaddr.sa_data[4], (unsigned char)r.ifr_hwaddr.sa_data[5]);
		break;
	default: {
		struct sockaddr_in *in = (struct sockaddr_in *)&r.ifr_addr;
		say("%s %s: family %d %s\n", reqname, name, in->sin_family, inet_ntoa(in->sin_addr));
	}
	}
}

static void ioctls(int inet_fd, int unix_fd)
{
	struct ifreq r;
	memset(&r, 0, sizeof r);
	r.ifr_ifindex = 1;
	if (ioctl(inet_fd, SIOCGIFNAME, &r) == 0)
		say("SIOCGIFNAME 1: %s\n", r.ifr_name);
	else
		say("SIOCGIFNAME 1: %s\n", errname(errno));
	ifreq(inet_fd, SIOCGIFINDEX, "SIOCGIFINDEX", "lo");
	ifreq(inet_fd, SIOCGIFINDEX, "SIOCGIFINDEX", "nosuch0");
	ifreq(inet_fd, SIOCGIFFLAGS, "SIOCGIFFLAGS", "lo");
	ifreq(inet_fd, SIOCGIFMTU, "SIOCGIFMTU", "lo");
	ifreq(inet_fd, SIOCGIFTXQLEN, "SIOCGIFTXQLEN", "lo");
	ifreq(inet_fd, SIOCGIFHWADDR, "SIOCGIFHWADDR", "lo");
	ifreq(inet_fd, SIOCGIFADDR, "SIOCGIFADDR", "lo");
	ifreq(inet_fd, SIOCGIFNETMASK, "SIOCGIFNETMASK", "lo");
	ifreq(inet_fd, SIOCGIFBRDADDR, "SIOCGIFBRDADDR", "lo");
	ifreq(unix_fd, SIOCGIFINDEX, "unix SIOCGIFINDEX", "lo");
	ifreq(unix_fd, SIOCGIFFLAGS, "unix SIOCGIFFLAGS", "lo");

	/* SIOCGIFCONF: the length all entries need, then lo's entry. */
	struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
	CHECK(ioctl(inet_fd, SIOCGIFCONF, &c));
	say("SIOCGIFCONF length a multiple of ifreq %d\n", c.ifc_len > 0 && c.ifc_len % (int)sizeof(struct ifreq) == 0);
	struct ifreq all[16];
	c.ifc_len = sizeof all;
	c.ifc_req = all;
	CHECK(ioctl(inet_fd, SIOCGIFCONF, &c));
	for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++)
		if (strcmp(all[i].ifr_name, "lo") == 0)
			say("SIOCGIFCONF lo: %s\n", inet_ntoa(((struct sockaddr_in *)&all[i].ifr_addr)->sin_addr));
	c.ifc_len = sizeof(struct ifreq) - 1;
	CHECK(ioctl(inet_fd, SIOCGIFCONF, &c));
	say("SIOCGIFCONF into too little: %d\n", c.ifc_len);
}

int main(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len;

	/* TCP: a listener, a connection with five unread bytes at the
	 * server end, and a socket never bound. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	MUST(l);
	MUST(bind(l, (struct sockaddr *)&a4, sizeof a4));
	MUST(listen(l, 4));
	a4.sin_port = htons(port_of(l));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	MUST(connect(c, (struct sockaddr *)&a4, sizeof a4));
	port_of(c);
	int s = accept(l, NULL, NULL);
	MUST(s);
	MUST(write(c, "hello", 5));
	struct pollfd p = { .fd = s, .events = POLLIN };
	MUST(poll(&p, 1, -1));
	int idle = socket(AF_INET, SOCK_STREAM, 0);
	add("tcp-listener", l);
	add("tcp-client", c);
	add("tcp-server", s);
	add("tcp-unbound", idle);
	int n = 0;
	CHECK(ioctl(s, SIOCINQ, &n));
	say("SIOCINQ at the server: %d\n", n);
	CHECK(ioctl(l, SIOCINQ, &n));

	/* UDP: a bound socket with a three-byte datagram waiting, and one
	 * connected to it. */
	a4.sin_port = 0;
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	MUST(bind(u, (struct sockaddr *)&a4, sizeof a4));
	a4.sin_port = htons(port_of(u));
	int uc = socket(AF_INET, SOCK_DGRAM, 0);
	MUST(connect(uc, (struct sockaddr *)&a4, sizeof a4));
	port_of(uc);
	MUST(send(uc, "abc", 3, 0));
	MUST(send(uc, "defgh", 5, 0));
	p.fd = u;
	MUST(poll(&p, 1, -1));
	add("udp-bound", u);
	add("udp-connected", uc);
	CHECK(ioctl(u, SIOCINQ, &n));
	say("SIOCINQ at the UDP socket (the first datagram): %d\n", n);
	CHECK(ioctl(uc, SIOCOUTQ, &n));
	say("SIOCOUTQ at the UDP sender: %d\n", n);

	/* IPv6: a listener and a bound datagram socket on ::1. */
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	MUST(bind(l6, (struct sockaddr *)&a6, sizeof a6));
	MUST(listen(l6, 4));
	port_of(l6);
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	MUST(bind(u6, (struct sockaddr *)&a6, sizeof a6));
	port_of(u6);
	add("tcp6-listener", l6);
	add("udp6-bound", u6);

	/* Unix: a listener on a path with an accepted connection, a
	 * socketpair, an abstract datagram socket and an unbound one. */
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	strcpy(un.sun_path, "netproc.sock");
	unlink(un.sun_path);
	int ul = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(bind(ul, (struct sockaddr *)&un, sizeof un));
	MUST(listen(ul, 4));
	int ucl = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(connect(ucl, (struct sockaddr *)&un, sizeof un));
	int usv = accept(ul, NULL, NULL);
	MUST(usv);
	int sp[2];
	MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp));
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	int ablen = snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "netproc-%d", getpid());
	int ud = socket(AF_UNIX, SOCK_DGRAM, 0);
	MUST(bind(ud, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 1 + ablen));
	int uu = socket(AF_UNIX, SOCK_DGRAM, 0);
	add("unix-listener", ul);
	add("unix-client", ucl);
	add("unix-server", usv);
	add("unix-pair0", sp[0]);
	add("unix-pair1", sp[1]);
	add("unix-abstract", ud);
	add("unix-unbound", uu);
	MUST(write(ucl, "0123456789", 10));
	CHECK(ioctl(usv, SIOCINQ, &n));
	say("SIOCINQ at the Unix server: %d\n", n);
	CHECK(ioctl(ucl, SIOCOUTQ, &n));
	say("SIOCOUTQ at the Unix client, something unread: %d\n", n > 0);
	MUST(send(sp[0], "ab", 2, 0));
	MUST(send(sp[0], "cdef", 4, 0));
	CHECK(ioctl(sp[1], SIOCINQ, &n));
	say("SIOCINQ at the seqpacket end (the first message): %d\n", n);
	CHECK(ioctl(ul, SIOCINQ, &n));

	/* Netlink: a routing socket, bound by the kernel's choice. */
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	MUST(bind(nl, (struct sockaddr *)&snl, sizeof snl));
	len = sizeof snl;
	MUST(getsockname(nl, (struct sockaddr *)&snl, &len));
	say("netlink port id is the pid: %d\n", snl.nl_pid == (unsigned)getpid());
	add("netlink", nl);

	inet("tcp", 0);
	inet("tcp6", 0);
	inet("udp", 1);
	inet("udp6", 1);
	unixes();
	netlinks();
	lines("/proc/net/if_inet6", " lo\n");
	lines("/proc/net/route", "Iface");
	lines("/proc/net/dev", "face");
	devlo();
	lines("/proc/sys/net/ipv4/ip_local_port_range", "");
	lines("/proc/sys/net/core/somaxconn", "");
	ioctls(c, uu);

	/* A closed connection's ends stay in the table without an inode
	 * until they are done; a file's socket is gone at once. */
	close(idle);
	unlink("netproc.sock");
	return 0;
}
