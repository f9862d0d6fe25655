//go:build linux && amd64

package abi

import (
	"bytes"
	"net/netip"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestSocketConstants checks the socket constants against x/sys/unix.
func TestSocketConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"AF_UNIX", AF_UNIX, unix.AF_UNIX}, {"AF_INET", AF_INET, unix.AF_INET}, {"AF_INET6", AF_INET6, unix.AF_INET6},
		{"AF_NETLINK", AF_NETLINK, unix.AF_NETLINK}, {"AF_PACKET", AF_PACKET, unix.AF_PACKET},
		{"SOCK_SEQPACKET", SOCK_SEQPACKET, unix.SOCK_SEQPACKET}, {"SOCK_NONBLOCK", SOCK_NONBLOCK, unix.SOCK_NONBLOCK},
		{"SOCK_CLOEXEC", SOCK_CLOEXEC, unix.SOCK_CLOEXEC}, {"SO_PEERCRED", SO_PEERCRED, unix.SO_PEERCRED},
		{"SO_RCVTIMEO", SO_RCVTIMEO, unix.SO_RCVTIMEO}, {"SO_ACCEPTCONN", SO_ACCEPTCONN, unix.SO_ACCEPTCONN},
		{"SO_PROTOCOL", SO_PROTOCOL, unix.SO_PROTOCOL}, {"SO_DOMAIN", SO_DOMAIN, unix.SO_DOMAIN},
		{"SO_REUSEPORT", SO_REUSEPORT, unix.SO_REUSEPORT}, {"SO_PASSCRED", SO_PASSCRED, unix.SO_PASSCRED},
		{"TCP_INFO", TCP_INFO, unix.TCP_INFO}, {"TCP_KEEPCNT", TCP_KEEPCNT, unix.TCP_KEEPCNT},
		{"IPV6_V6ONLY", IPV6_V6ONLY, unix.IPV6_V6ONLY}, {"IP_TTL", IP_TTL, unix.IP_TTL},
		{"MSG_NOSIGNAL", MSG_NOSIGNAL, unix.MSG_NOSIGNAL}, {"MSG_WAITALL", MSG_WAITALL, unix.MSG_WAITALL},
		{"MSG_CMSG_CLOEXEC", MSG_CMSG_CLOEXEC, unix.MSG_CMSG_CLOEXEC}, {"MSG_TRUNC", MSG_TRUNC, unix.MSG_TRUNC},
		{"SCM_CREDENTIALS", SCM_CREDENTIALS, unix.SCM_CREDENTIALS}, {"SIOCGIFCONF", SIOCGIFCONF, unix.SIOCGIFCONF},
		{"SIOCGIFHWADDR", SIOCGIFHWADDR, unix.SIOCGIFHWADDR}, {"SIOCGIFINDEX", SIOCGIFINDEX, unix.SIOCGIFINDEX},
		{"SIOCSIFFLAGS", SIOCSIFFLAGS, unix.SIOCSIFFLAGS}, {"SIOCGIFMETRIC", SIOCGIFMETRIC, unix.SIOCGIFMETRIC},
		{"SIOCGIFTXQLEN", SIOCGIFTXQLEN, unix.SIOCGIFTXQLEN}, {"SIOCINQ", SIOCINQ, unix.SIOCINQ},
		{"SIOCOUTQ", SIOCOUTQ, unix.SIOCOUTQ}, {"SIOCGIFBRDADDR", SIOCGIFBRDADDR, unix.SIOCGIFBRDADDR},
		{"IFNAMSIZ", IFNAMSIZ, unix.IFNAMSIZ},
		{"IP_RETOPTS", IP_RETOPTS, unix.IP_RETOPTS}, {"IP_RECVOPTS", IP_RECVOPTS, unix.IP_RECVOPTS},
		{"IPV6_RECVHOPLIMIT", IPV6_RECVHOPLIMIT, unix.IPV6_RECVHOPLIMIT}, {"IPV6_HOPLIMIT", IPV6_HOPLIMIT, unix.IPV6_HOPLIMIT},
		{"IPV6_RECVTCLASS", IPV6_RECVTCLASS, unix.IPV6_RECVTCLASS}, {"IPV6_PKTINFO", IPV6_PKTINFO, unix.IPV6_PKTINFO},
		{"IPV6_RECVERR", IPV6_RECVERR, unix.IPV6_RECVERR}, {"IPV6_MTU_DISCOVER", IPV6_MTU_DISCOVER, unix.IPV6_MTU_DISCOVER},
		{"IPV6_CHECKSUM", IPV6_CHECKSUM, unix.IPV6_CHECKSUM},
		{"IPV6_2292HOPLIMIT", IPV6_2292HOPLIMIT, unix.IPV6_2292HOPLIMIT}, {"SOL_RAW", SOL_RAW, unix.SOL_RAW}, {"SOL_ICMPV6", SOL_ICMPV6, unix.SOL_ICMPV6},
		{"ICMP6_FILTER", ICMP6_FILTER, unix.ICMPV6_FILTER}, {"SizeofInPktinfo", SizeofInPktinfo, unix.SizeofInet4Pktinfo},
		{"SizeofIn6Pktinfo", SizeofIn6Pktinfo, unix.SizeofInet6Pktinfo}, {"SizeofICMP6Filter", SizeofICMP6Filter, unix.SizeofICMPv6Filter},
		{"ARPHRD_LOOPBACK", ARPHRD_LOOPBACK, unix.ARPHRD_LOOPBACK}, {"IFF_LOWER_UP", IFF_LOWER_UP, unix.IFF_LOWER_UP},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

// TestSockaddrLayout checks sockaddr encodings against x/sys/unix's
// structs and the kernel's length rules.
func TestSockaddrLayout(t *testing.T) {
	in4 := Sockaddr{Family: AF_INET, IP: netip.MustParseAddr("127.0.0.1"), Port: 8080}
	b := in4.Encode()
	u4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&b[0]))
	if len(b) != int(unsafe.Sizeof(*u4)) || u4.Family != AF_INET || u4.Port != 0x901f || u4.Addr != [4]byte{127, 0, 0, 1} {
		t.Errorf("sockaddr_in: %d bytes, %+v", len(b), *u4)
	}
	in6 := Sockaddr{Family: AF_INET6, IP: netip.MustParseAddr("::1"), Port: 22, Flowinfo: 7, ScopeID: 3}
	b = in6.Encode()
	u6 := (*unix.RawSockaddrInet6)(unsafe.Pointer(&b[0]))
	if len(b) != int(unsafe.Sizeof(*u6)) || u6.Port != 0x1600 || u6.Flowinfo != 7 || u6.Scope_id != 3 || u6.Addr[15] != 1 {
		t.Errorf("sockaddr_in6: %d bytes, %+v", len(b), *u6)
	}
	if SizeofSockaddrUnix != int(unsafe.Sizeof(unix.RawSockaddrUnix{})) || SizeofSockaddrNetlink != int(unsafe.Sizeof(unix.RawSockaddrNetlink{})) {
		t.Error("sockaddr_un or sockaddr_nl size")
	}
	for _, a := range []Sockaddr{in4, in6, {Family: AF_UNIX, Path: "/tmp/s"}, {Family: AF_UNIX, Path: "\x00abstract"},
		{Family: AF_NETLINK, NlPid: 5, NlGroups: 1}} {
		back, err := DecodeSockaddr(a.Encode())
		if err != nil || back != a {
			t.Errorf("%+v came back as %+v, %v", a, back, err)
		}
	}
	un := Sockaddr{Family: AF_UNIX, Path: "/tmp/s"}
	if got := un.Encode(); !bytes.Equal(got, []byte("\x01\x00/tmp/s\x00")) {
		t.Errorf("sockaddr_un bytes %q", got)
	}
	for _, c := range []struct {
		b    []byte
		want error
	}{
		{[]byte{2}, EINVAL}, {in4.Encode()[:8], EINVAL}, {in6.Encode()[:20], EINVAL},
		{[]byte{99, 0, 0, 0}, EAFNOSUPPORT}, {append([]byte{AF_UNIX, 0}, make([]byte, UnixPathMax+1)...), EINVAL},
	} {
		if _, err := DecodeSockaddr(c.b); err != c.want {
			t.Errorf("%x: %v, want %v", c.b, err, c.want)
		}
	}
}

// TestMsghdrAndCmsgLayout checks struct msghdr and control messages
// against x/sys/unix's structs and its SCM_RIGHTS builder and parser.
func TestMsghdrAndCmsgLayout(t *testing.T) {
	m := Msghdr{Name: 1, Namelen: 2, Iov: 3, Iovlen: 4, Control: 5, Controllen: 6, Flags: 7}
	b := make([]byte, SizeofMsghdr)
	m.Encode(b)
	u := (*unix.Msghdr)(unsafe.Pointer(&b[0]))
	if SizeofMsghdr != unsafe.Sizeof(*u) || SizeofMmsghdr != unsafe.Sizeof(unix.Mmsghdr{}) ||
		uintptr(unsafe.Pointer(u.Name)) != 1 || u.Namelen != 2 || uintptr(unsafe.Pointer(u.Iov)) != 3 || u.Iovlen != 4 ||
		uintptr(unsafe.Pointer(u.Control)) != 5 || u.Controllen != 6 || u.Flags != 7 {
		t.Errorf("msghdr: %+v", *u)
	}
	if DecodeMsghdr(b) != m {
		t.Error("msghdr round trip")
	}
	rights := unix.UnixRights(3, 4, 5)
	cred := unix.UnixCredentials(&unix.Ucred{Pid: 1, Uid: 2, Gid: 3})
	ours := AppendCmsg(AppendCmsg(nil, SOL_SOCKET, SCM_RIGHTS, []byte{3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0}),
		SOL_SOCKET, SCM_CREDENTIALS, Ucred{1, 2, 3}.Encode())
	if want := append(rights, cred...); !bytes.Equal(ours, want) {
		t.Errorf("control messages:\n%x\nwant\n%x", ours, want)
	}
	msgs, err := ParseCmsgs(ours)
	if err != nil || len(msgs) != 2 || msgs[0].Type != SCM_RIGHTS || len(msgs[0].Data) != 12 || DecodeUcred(msgs[1].Data) != (Ucred{1, 2, 3}) {
		t.Errorf("parsed %+v, %v", msgs, err)
	}
	bad := append([]byte(nil), ours...)
	le.PutUint64(bad, 1000)
	if _, err := ParseCmsgs(bad); err != EINVAL {
		t.Errorf("a control message longer than the buffer: %v", err)
	}
	if SizeofUcred != unsafe.Sizeof(unix.Ucred{}) || SizeofLinger != unsafe.Sizeof(unix.Linger{}) || SizeofCmsghdr != unsafe.Sizeof(unix.Cmsghdr{}) {
		t.Error("ucred, linger or cmsghdr size")
	}
}
