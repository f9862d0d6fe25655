package abi

import (
	"encoding/binary"
	"net/netip"
)

// Address families (include/linux/socket.h).
const (
	AF_UNSPEC  = 0
	AF_UNIX    = 1
	AF_INET    = 2
	AF_INET6   = 10
	AF_NETLINK = 16
	AF_PACKET  = 17
)

// Socket types, and the flags socket(2) and socketpair(2) take with them.
const (
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_SEQPACKET = 5
	SOCK_TYPE_MASK = 0xf
	SOCK_NONBLOCK  = O_NONBLOCK
	SOCK_CLOEXEC   = O_CLOEXEC
)

// IP protocols (include/uapi/linux/in.h).
const (
	IPPROTO_IP     = 0
	IPPROTO_ICMP   = 1
	IPPROTO_TCP    = 6
	IPPROTO_UDP    = 17
	IPPROTO_IPV6   = 41
	IPPROTO_ICMPV6 = 58
	IPPROTO_RAW    = 255
)

// Option levels and socket-level options (asm-generic/socket.h).
const (
	SOL_SOCKET = 1
	SOL_IP     = 0
	SOL_TCP    = 6
	SOL_UDP    = 17
	SOL_IPV6   = 41

	SO_DEBUG        = 1
	SO_REUSEADDR    = 2
	SO_TYPE         = 3
	SO_ERROR        = 4
	SO_DONTROUTE    = 5
	SO_BROADCAST    = 6
	SO_SNDBUF       = 7
	SO_RCVBUF       = 8
	SO_KEEPALIVE    = 9
	SO_OOBINLINE    = 10
	SO_NO_CHECK     = 11
	SO_PRIORITY     = 12
	SO_LINGER       = 13
	SO_BSDCOMPAT    = 14
	SO_REUSEPORT    = 15
	SO_PASSCRED     = 16
	SO_PEERCRED     = 17
	SO_RCVLOWAT     = 18
	SO_SNDLOWAT     = 19
	SO_RCVTIMEO     = 20
	SO_SNDTIMEO     = 21
	SO_BINDTODEVICE = 25
	SO_TIMESTAMP    = 29
	SO_ACCEPTCONN   = 30
	SO_PEERSEC      = 31
	SO_SNDBUFFORCE  = 32
	SO_RCVBUFFORCE  = 33
	SO_PASSSEC      = 34
	SO_MARK         = 36
	SO_PROTOCOL     = 38
	SO_DOMAIN       = 39
	SO_PEEK_OFF     = 42
	SO_BUSY_POLL    = 46
	SO_INCOMING_CPU = 49
	SO_COOKIE       = 57
	SO_PEERGROUPS   = 59
)

// TCP options (include/uapi/linux/tcp.h).
const (
	TCP_NODELAY      = 1
	TCP_MAXSEG       = 2
	TCP_CORK         = 3
	TCP_KEEPIDLE     = 4
	TCP_KEEPINTVL    = 5
	TCP_KEEPCNT      = 6
	TCP_SYNCNT       = 7
	TCP_LINGER2      = 8
	TCP_DEFER_ACCEPT = 9
	TCP_WINDOW_CLAMP = 10
	TCP_INFO         = 11
	TCP_QUICKACK     = 12
	TCP_CONGESTION   = 13
	TCP_USER_TIMEOUT = 18
	TCP_FASTOPEN     = 23
)

// IP and IPv6 options (include/uapi/linux/in.h, in6.h).
const (
	IP_TOS             = 1
	IP_TTL             = 2
	IP_HDRINCL         = 3
	IP_OPTIONS         = 4
	IP_RECVTTL         = 12
	IP_RECVTOS         = 13
	IP_MTU_DISCOVER    = 10
	IP_RECVERR         = 11
	IP_PKTINFO         = 8
	IP_MULTICAST_IF    = 32
	IP_MULTICAST_TTL   = 33
	IP_MULTICAST_LOOP  = 34
	IP_ADD_MEMBERSHIP  = 35
	IP_DROP_MEMBERSHIP = 36
	IP_RECVOPTS        = 6
	IP_RETOPTS         = 7

	IPV6_2292PKTINFO    = 2
	IPV6_CHECKSUM       = 7
	IPV6_2292HOPLIMIT   = 8
	IPV6_UNICAST_HOPS   = 16
	IPV6_MULTICAST_IF   = 17
	IPV6_MULTICAST_HOPS = 18
	IPV6_MULTICAST_LOOP = 19
	IPV6_MTU_DISCOVER   = 23
	IPV6_RECVERR        = 25
	IPV6_V6ONLY         = 26
	IPV6_RECVPKTINFO    = 49
	IPV6_PKTINFO        = 50
	IPV6_RECVHOPLIMIT   = 51
	IPV6_HOPLIMIT       = 52
	IPV6_RECVTCLASS     = 66
	IPV6_TCLASS         = 67

	// ICMP6_FILTER, at level SOL_ICMPV6, is an ICMPv6 raw socket's
	// filter of message types (struct icmp6_filter, 32 bytes).
	SOL_ICMPV6        = 58
	SOL_RAW           = 255
	ICMP6_FILTER      = 1
	SizeofICMP6Filter = 32
	SizeofInPktinfo   = 12
	SizeofIn6Pktinfo  = 20
)

// Message flags (include/linux/socket.h).
const (
	MSG_OOB          = 0x1
	MSG_PEEK         = 0x2
	MSG_DONTROUTE    = 0x4
	MSG_CTRUNC       = 0x8
	MSG_TRUNC        = 0x20
	MSG_DONTWAIT     = 0x40
	MSG_EOR          = 0x80
	MSG_WAITALL      = 0x100
	MSG_CONFIRM      = 0x800
	MSG_ERRQUEUE     = 0x2000
	MSG_NOSIGNAL     = 0x4000
	MSG_MORE         = 0x8000
	MSG_WAITFORONE   = 0x10000
	MSG_CMSG_CLOEXEC = 0x40000000
)

// shutdown(2)'s how.
const (
	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2
)

// Control message types at SOL_SOCKET.
const (
	SCM_RIGHTS      = 1
	SCM_CREDENTIALS = 2
)

// SCM_MAX_FD is the most descriptors one SCM_RIGHTS message carries.
const SCM_MAX_FD = 253

// SOMAXCONN is the largest listen backlog (net.core.somaxconn's
// default).
const SOMAXCONN = 4096

// Socket ioctls (include/uapi/linux/sockios.h): SIOCINQ is FIONREAD and
// SIOCOUTQ TIOCOUTQ.
const (
	SIOCGIFNAME    = 0x8910
	SIOCGIFCONF    = 0x8912
	SIOCGIFFLAGS   = 0x8913
	SIOCSIFFLAGS   = 0x8914
	SIOCGIFADDR    = 0x8915
	SIOCGIFBRDADDR = 0x8919
	SIOCGIFNETMASK = 0x891b
	SIOCGIFMETRIC  = 0x891d
	SIOCGIFMTU     = 0x8921
	SIOCGIFHWADDR  = 0x8927
	SIOCGIFINDEX   = 0x8933
	SIOCGIFTXQLEN  = 0x8942
	SIOCINQ        = FIONREAD
	SIOCOUTQ       = TIOCOUTQ
)

// Sizes of struct ifreq (a 16-byte name and a 24-byte union) and struct
// ifconf (a length and a pointer), and IFNAMSIZ.
const (
	SizeofIfreq  = 40
	SizeofIfconf = 16
	IFNAMSIZ     = 16
)

// ARP hardware types (include/uapi/linux/if_arp.h): an interface's
// link type, in SIOCGIFHWADDR's sa_family and netlink's ifi_type.
const (
	ARPHRD_ETHER    = 1
	ARPHRD_LOOPBACK = 772
)

// Interface flags (include/uapi/linux/if.h).
const (
	IFF_UP        = 0x1
	IFF_BROADCAST = 0x2
	IFF_LOOPBACK  = 0x8
	IFF_RUNNING   = 0x40
	IFF_MULTICAST = 0x1000
	IFF_LOWER_UP  = 0x10000 // reported by netlink only: ifr_flags is a short
)

// Sizes of the socket address structures.
const (
	SizeofSockaddrInet4   = 16
	SizeofSockaddrInet6   = 28
	SizeofSockaddrUnix    = 110 // sun_family and a 108-byte sun_path
	SizeofSockaddrNetlink = 12
	SizeofSockaddrStorage = 128
	UnixPathMax           = 108
)

// Sockaddr is a socket address as a program passes it: the family and,
// for each family, its fields. Inet addresses hold the port and the IP
// (an IPv4 address for AF_INET, IPv6 for AF_INET6); a Unix address holds
// the path bytes (empty for an unnamed socket, a leading NUL for the
// abstract namespace); a netlink address the port id and groups.
type Sockaddr struct {
	Family   uint16
	IP       netip.Addr
	Port     uint16
	Flowinfo uint32
	ScopeID  uint32
	Path     string
	NlPid    uint32
	NlGroups uint32
}

// DecodeSockaddr reads a socket address of len(b) bytes, checking its
// length as the kernel's move_addr_to_kernel and each family's bind and
// connect do: EINVAL for a length its family cannot have,
// EAFNOSUPPORT for an unknown family.
func DecodeSockaddr(b []byte) (Sockaddr, error) {
	if len(b) < 2 {
		return Sockaddr{}, EINVAL
	}
	a := Sockaddr{Family: le.Uint16(b)}
	switch a.Family {
	case AF_INET:
		if len(b) < SizeofSockaddrInet4 {
			return a, EINVAL
		}
		a.Port = binary.BigEndian.Uint16(b[2:])
		a.IP = netip.AddrFrom4([4]byte(b[4:8]))
	case AF_INET6:
		if len(b) < SizeofSockaddrInet6 {
			return a, EINVAL
		}
		a.Port = binary.BigEndian.Uint16(b[2:])
		a.Flowinfo = le.Uint32(b[4:])
		a.IP = netip.AddrFrom16([16]byte(b[8:24]))
		a.ScopeID = le.Uint32(b[24:])
	case AF_UNIX:
		if len(b) > SizeofSockaddrUnix {
			return a, EINVAL
		}
		p := b[2:]
		if len(p) > 0 && p[0] != 0 {
			// A path ends at its first NUL (unix_mkname_bsd).
			for i, c := range p {
				if c == 0 {
					p = p[:i]
					break
				}
			}
		}
		a.Path = string(p)
	case AF_NETLINK:
		if len(b) < SizeofSockaddrNetlink {
			return a, EINVAL
		}
		a.NlPid, a.NlGroups = le.Uint32(b[4:]), le.Uint32(b[8:])
	case AF_UNSPEC:
	default:
		return a, EAFNOSUPPORT
	}
	return a, nil
}

// Encode returns the address's bytes as the kernel copies them out: the
// whole struct for inet and netlink; for Unix, the family and the path
// with its NUL (none for an abstract or unnamed name), as unix_getname
// reports its length.
func (a *Sockaddr) Encode() []byte {
	var b []byte
	switch a.Family {
	case AF_INET:
		b = make([]byte, SizeofSockaddrInet4)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		ip := a.IP.As4()
		copy(b[4:], ip[:])
	case AF_INET6:
		b = make([]byte, SizeofSockaddrInet6)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		le.PutUint32(b[4:], a.Flowinfo)
		ip := a.IP.As16()
		copy(b[8:], ip[:])
		le.PutUint32(b[24:], a.ScopeID)
	case AF_UNIX:
		b = make([]byte, 2, 2+len(a.Path)+1)
		b = append(b, a.Path...)
		if a.Path != "" && a.Path[0] != 0 {
			b = append(b, 0)
		}
	case AF_NETLINK:
		b = make([]byte, SizeofSockaddrNetlink)
		le.PutUint32(b[4:], a.NlPid)
		le.PutUint32(b[8:], a.NlGroups)
	default:
		b = make([]byte, 2)
	}
	le.PutUint16(b, a.Family)
	return b
}

// Msghdr is struct msghdr (sendmsg, recvmsg):
//
//	0 msg_name  8 msg_namelen u32  16 msg_iov  24 msg_iovlen
//	32 msg_control  40 msg_controllen  48 msg_flags i32
type Msghdr struct {
	Name       uint64
	Namelen    uint32
	Iov        uint64
	Iovlen     uint64
	Control    uint64
	Controllen uint64
	Flags      int32
}

// SizeofMsghdr is sizeof(struct msghdr); SizeofMmsghdr sizeof(struct
// mmsghdr), a msghdr and the length received or sent.
const (
	SizeofMsghdr  = 56
	SizeofMmsghdr = 64
)

// DecodeMsghdr reads a struct msghdr.
func DecodeMsghdr(b []byte) Msghdr {
	return Msghdr{Name: le.Uint64(b[0:]), Namelen: le.Uint32(b[8:]), Iov: le.Uint64(b[16:]), Iovlen: le.Uint64(b[24:]),
		Control: le.Uint64(b[32:]), Controllen: le.Uint64(b[40:]), Flags: int32(le.Uint32(b[48:]))}
}

// Encode writes m into b[:SizeofMsghdr].
func (m *Msghdr) Encode(b []byte) {
	b = b[:SizeofMsghdr]
	clear(b)
	le.PutUint64(b[0:], m.Name)
	le.PutUint32(b[8:], m.Namelen)
	le.PutUint64(b[16:], m.Iov)
	le.PutUint64(b[24:], m.Iovlen)
	le.PutUint64(b[32:], m.Control)
	le.PutUint64(b[40:], m.Controllen)
	le.PutUint32(b[48:], uint32(m.Flags))
}

// Control messages: a struct cmsghdr (cmsg_len u64, cmsg_level i32,
// cmsg_type i32) followed by its data, each padded to 8 bytes.
const SizeofCmsghdr = 16

// CmsgAlign rounds n up as CMSG_ALIGN does.
func CmsgAlign(n int) int { return (n + 7) &^ 7 }

// CmsgSpace is CMSG_SPACE: the room a message of n data bytes takes.
func CmsgSpace(n int) int { return SizeofCmsghdr + CmsgAlign(n) }

// Cmsg is one control message.
type Cmsg struct {
	Level, Type int32
	Data        []byte
}

// ParseCmsgs splits a control buffer into its messages, with the kernel's
// checks (__cmsg_nxthdr, cmsghdr_from_user_compat): EINVAL for a message
// whose length is too short or runs past the buffer.
func ParseCmsgs(b []byte) ([]Cmsg, error) {
	var out []Cmsg
	for len(b) >= SizeofCmsghdr {
		n := le.Uint64(b)
		if n < SizeofCmsghdr || n > uint64(len(b)) {
			return nil, EINVAL
		}
		out = append(out, Cmsg{Level: int32(le.Uint32(b[8:])), Type: int32(le.Uint32(b[12:])), Data: b[SizeofCmsghdr:n]})
		next := CmsgAlign(int(n))
		if next >= len(b) {
			break
		}
		b = b[next:]
	}
	return out, nil
}

// AppendCmsg appends a control message, padded, to b.
func AppendCmsg(b []byte, level, typ int32, data []byte) []byte {
	h := make([]byte, SizeofCmsghdr)
	le.PutUint64(h, uint64(SizeofCmsghdr+len(data)))
	le.PutUint32(h[8:], uint32(level))
	le.PutUint32(h[12:], uint32(typ))
	b = append(append(b, h...), data...)
	return append(b, make([]byte, CmsgAlign(len(data))-len(data))...)
}

// Ucred is struct ucred (SO_PEERCRED, SCM_CREDENTIALS): pid, uid, gid.
type Ucred struct {
	Pid      int32
	UID, GID uint32
}

// SizeofUcred is sizeof(struct ucred).
const SizeofUcred = 12

// Encode returns the struct's bytes.
func (u Ucred) Encode() []byte {
	b := make([]byte, SizeofUcred)
	le.PutUint32(b, uint32(u.Pid))
	le.PutUint32(b[4:], u.UID)
	le.PutUint32(b[8:], u.GID)
	return b
}

// DecodeUcred reads a struct ucred.
func DecodeUcred(b []byte) Ucred {
	return Ucred{Pid: int32(le.Uint32(b)), UID: le.Uint32(b[4:]), GID: le.Uint32(b[8:])}
}

// Linger is struct linger (SO_LINGER): l_onoff and l_linger, two ints.
type Linger struct{ Onoff, Linger int32 }

// SizeofLinger is sizeof(struct linger).
const SizeofLinger = 8

// TCP states (include/net/tcp_states.h), as TCP_INFO and /proc/net/tcp
// report them; a datagram socket is TCP_ESTABLISHED once connected and
// TCP_CLOSE before.
const (
	TCP_ESTABLISHED = 1
	TCP_SYN_SENT    = 2
	TCP_SYN_RECV    = 3
	TCP_FIN_WAIT1   = 4
	TCP_FIN_WAIT2   = 5
	TCP_TIME_WAIT   = 6
	TCP_CLOSE       = 7
	TCP_CLOSE_WAIT  = 8
	TCP_LAST_ACK    = 9
	TCP_LISTEN      = 10
	TCP_CLOSING     = 11
)

// Socket states (include/uapi/linux/net.h), as /proc/net/unix reports a
// Unix socket's.
const (
	SS_UNCONNECTED = 1
	SS_CONNECTING  = 2
	SS_CONNECTED   = 3
)
