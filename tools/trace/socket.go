package trace

import (
	"encoding/binary"
	"strconv"
	"strings"

	"paddock/abi"
)

// Socket calls' arguments, as strace prints them.
var (
	families = []flagName{{abi.AF_UNSPEC, "AF_UNSPEC"}, {abi.AF_UNIX, "AF_UNIX"}, {abi.AF_INET, "AF_INET"},
		{abi.AF_INET6, "AF_INET6"}, {abi.AF_NETLINK, "AF_NETLINK"}, {abi.AF_PACKET, "AF_PACKET"}}
	sockTypes = []flagName{{abi.SOCK_STREAM, "SOCK_STREAM"}, {abi.SOCK_DGRAM, "SOCK_DGRAM"}, {abi.SOCK_RAW, "SOCK_RAW"},
		{4, "SOCK_RDM"}, {abi.SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {6, "SOCK_DCCP"}, {10, "SOCK_PACKET"}}
	sockFlags = []flagName{{abi.SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {abi.SOCK_CLOEXEC, "SOCK_CLOEXEC"}}
	msgFlags  = []flagName{{abi.MSG_OOB, "MSG_OOB"}, {abi.MSG_PEEK, "MSG_PEEK"}, {abi.MSG_DONTROUTE, "MSG_DONTROUTE"},
		{abi.MSG_CTRUNC, "MSG_CTRUNC"}, {abi.MSG_TRUNC, "MSG_TRUNC"}, {abi.MSG_DONTWAIT, "MSG_DONTWAIT"},
		{abi.MSG_EOR, "MSG_EOR"}, {abi.MSG_WAITALL, "MSG_WAITALL"}, {abi.MSG_CONFIRM, "MSG_CONFIRM"},
		{abi.MSG_ERRQUEUE, "MSG_ERRQUEUE"}, {abi.MSG_NOSIGNAL, "MSG_NOSIGNAL"}, {abi.MSG_MORE, "MSG_MORE"},
		{abi.MSG_WAITFORONE, "MSG_WAITFORONE"}, {abi.MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"}}
	shutHow   = []flagName{{abi.SHUT_RD, "SHUT_RD"}, {abi.SHUT_WR, "SHUT_WR"}, {abi.SHUT_RDWR, "SHUT_RDWR"}}
	sockLevel = []flagName{{abi.SOL_IP, "SOL_IP"}, {abi.SOL_SOCKET, "SOL_SOCKET"}, {abi.SOL_TCP, "SOL_TCP"},
		{abi.SOL_UDP, "SOL_UDP"}, {abi.SOL_IPV6, "SOL_IPV6"}, {abi.SOL_ICMPV6, "SOL_ICMPV6"}, {abi.SOL_RAW, "SOL_RAW"}}
	soNames = []flagName{{abi.SO_DEBUG, "SO_DEBUG"}, {abi.SO_REUSEADDR, "SO_REUSEADDR"}, {abi.SO_TYPE, "SO_TYPE"},
		{abi.SO_ERROR, "SO_ERROR"}, {abi.SO_DONTROUTE, "SO_DONTROUTE"}, {abi.SO_BROADCAST, "SO_BROADCAST"},
		{abi.SO_SNDBUF, "SO_SNDBUF"}, {abi.SO_RCVBUF, "SO_RCVBUF"}, {abi.SO_KEEPALIVE, "SO_KEEPALIVE"},
		{abi.SO_OOBINLINE, "SO_OOBINLINE"}, {abi.SO_PRIORITY, "SO_PRIORITY"}, {abi.SO_LINGER, "SO_LINGER"},
		{abi.SO_REUSEPORT, "SO_REUSEPORT"}, {abi.SO_PASSCRED, "SO_PASSCRED"}, {abi.SO_PEERCRED, "SO_PEERCRED"},
		{abi.SO_RCVLOWAT, "SO_RCVLOWAT"}, {abi.SO_SNDLOWAT, "SO_SNDLOWAT"}, {abi.SO_RCVTIMEO, "SO_RCVTIMEO_OLD"},
		{abi.SO_SNDTIMEO, "SO_SNDTIMEO_OLD"}, {abi.SO_BINDTODEVICE, "SO_BINDTODEVICE"},
		{abi.SO_TIMESTAMP, "SO_TIMESTAMP_OLD"}, {abi.SO_ACCEPTCONN, "SO_ACCEPTCONN"}, {abi.SO_PEERSEC, "SO_PEERSEC"},
		{abi.SO_SNDBUFFORCE, "SO_SNDBUFFORCE"}, {abi.SO_RCVBUFFORCE, "SO_RCVBUFFORCE"}, {abi.SO_MARK, "SO_MARK"},
		{abi.SO_PROTOCOL, "SO_PROTOCOL"}, {abi.SO_DOMAIN, "SO_DOMAIN"}, {abi.SO_PEEK_OFF, "SO_PEEK_OFF"},
		{abi.SO_COOKIE, "SO_COOKIE"}}
	tcpNames = []flagName{{abi.TCP_NODELAY, "TCP_NODELAY"}, {abi.TCP_MAXSEG, "TCP_MAXSEG"}, {abi.TCP_CORK, "TCP_CORK"},
		{abi.TCP_KEEPIDLE, "TCP_KEEPIDLE"}, {abi.TCP_KEEPINTVL, "TCP_KEEPINTVL"}, {abi.TCP_KEEPCNT, "TCP_KEEPCNT"},
		{abi.TCP_SYNCNT, "TCP_SYNCNT"}, {abi.TCP_LINGER2, "TCP_LINGER2"}, {abi.TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"},
		{abi.TCP_WINDOW_CLAMP, "TCP_WINDOW_CLAMP"}, {abi.TCP_INFO, "TCP_INFO"}, {abi.TCP_QUICKACK, "TCP_QUICKACK"},
		{abi.TCP_CONGESTION, "TCP_CONGESTION"}, {abi.TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"}, {abi.TCP_FASTOPEN, "TCP_FASTOPEN"}}
	ipNames = []flagName{{abi.IP_TOS, "IP_TOS"}, {abi.IP_TTL, "IP_TTL"}, {abi.IP_HDRINCL, "IP_HDRINCL"},
		{abi.IP_OPTIONS, "IP_OPTIONS"}, {abi.IP_PKTINFO, "IP_PKTINFO"}, {abi.IP_MTU_DISCOVER, "IP_MTU_DISCOVER"},
		{abi.IP_RECVERR, "IP_RECVERR"}, {abi.IP_RECVTTL, "IP_RECVTTL"}, {abi.IP_RECVTOS, "IP_RECVTOS"},
		{abi.IP_MULTICAST_IF, "IP_MULTICAST_IF"}, {abi.IP_MULTICAST_TTL, "IP_MULTICAST_TTL"},
		{abi.IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP"}, {abi.IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP"},
		{abi.IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP"}, {abi.IP_RECVOPTS, "IP_RECVOPTS"}, {abi.IP_RETOPTS, "IP_RETOPTS"}}
	ipv6Names = []flagName{{abi.IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"}, {abi.IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF"},
		{abi.IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS"}, {abi.IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP"},
		{abi.IPV6_V6ONLY, "IPV6_V6ONLY"}, {abi.IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO"}, {abi.IPV6_TCLASS, "IPV6_TCLASS"},
		{abi.IPV6_2292PKTINFO, "IPV6_2292PKTINFO"}, {abi.IPV6_CHECKSUM, "IPV6_CHECKSUM"},
		{abi.IPV6_2292HOPLIMIT, "IPV6_2292HOPLIMIT"}, {abi.IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER"},
		{abi.IPV6_RECVERR, "IPV6_RECVERR"}, {abi.IPV6_PKTINFO, "IPV6_PKTINFO"}, {abi.IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT"},
		{abi.IPV6_HOPLIMIT, "IPV6_HOPLIMIT"}, {abi.IPV6_RECVTCLASS, "IPV6_RECVTCLASS"}}
)

// Socket argument decoders.
var (
	aAddressFamily = aEnum(families, "AF_???")
	// aSocketType prints a type and its flags: SOCK_STREAM|SOCK_CLOEXEC.
	aSocketType = in(func(c *call, i int) string {
		v := c.args[i]
		s := enum(v&abi.SOCK_TYPE_MASK, sockTypes, "SOCK_???")
		if rest := v &^ abi.SOCK_TYPE_MASK; rest != 0 {
			s += "|" + flags(rest, sockFlags)
		}
		return s
	})
	aMsgFlags     = aFlags(msgFlags)
	aShutdownHow  = aEnum(shutHow, "SHUT_???")
	aSockoptLevel = aEnum(sockLevel, "SOL_???")
	aSockoptName  = in(func(c *call, i int) string { return sockoptName(c.args[i-1], c.args[i]) })
	aSockaddrIn   = in(func(c *call, i int) string { return nullOr(c.args[i], sockaddr(c, c.args[i], c.args[i+1])) })
	aSockaddrOut  = out(func(c *call, i int) string { return sockaddrOut(c, i) })
	aSocklenOut   = outOr(func(c *call, v uint64) string { return c.decodeAt(v, 4, bracketU32) })
	aSockoptIn    = in(func(c *call, i int) string { return nullOr(c.args[i], sockoptVal(c, c.args[i], c.args[i+1])) })
	aSockoptOut   = out(func(c *call, i int) string {
		if c.args[i] == 0 || c.failed() {
			return ptr(c.args[i])
		}
		return sockoptOutVal(c, c.args[i], c.args[i+1])
	})
	aMsghdrIn       = inPtr(func(c *call, v uint64) string { return msghdr(c, v, ^uint64(0)) })
	aMsghdrOut      = outOr(func(c *call, v uint64) string { return msghdr(c, v, c.ret) })
	aMmsghdrIn      = in(func(c *call, i int) string { return nullOr(c.args[i], mmsghdrs(c, c.args[i], c.args[i+1], false)) })
	aMmsghdrOut     = outOr(func(c *call, v uint64) string { return mmsghdrs(c, v, c.ret, true) })
	bracketU32      = func(b []byte) string { return "[" + udec(uint64(binary.LittleEndian.Uint32(b))) + "]" }
	familyOf        = func(b []byte) string { return enum(uint64(binary.LittleEndian.Uint16(b)), families, "AF_???") }
	sockaddrOutSize = 128
)

// nullOr prints NULL for a null pointer, else what a decoder made of it.
func nullOr(v uint64, s string) string {
	if v == 0 {
		return "NULL"
	}
	return s
}

// sockoptName prints an option name at its level.
func sockoptName(level, name uint64) string {
	switch level {
	case abi.SOL_SOCKET:
		return enum(name, soNames, "SO_???")
	case abi.SOL_TCP:
		return enum(name, tcpNames, "TCP_???")
	case abi.SOL_IP:
		return enum(name, ipNames, "IP_???")
	case abi.SOL_IPV6:
		return enum(name, ipv6Names, "IPV6_???")
	case abi.SOL_ICMPV6:
		return enum(name, []flagName{{abi.ICMP6_FILTER, "ICMP6_FILTER"}}, "ICMP6_???")
	}
	return udec(name)
}

// sockaddr prints n bytes of a socket address at v, as strace does.
func sockaddr(c *call, v uint64, n uint64) string {
	if n == 0 {
		return ptr(v)
	}
	n = min(n, abi.SizeofSockaddrStorage)
	b, ok := c.read(v, int(n))
	if !ok {
		return ptr(v)
	}
	if len(b) < 2 {
		return "{sa_family=???}"
	}
	a, err := abi.DecodeSockaddr(b)
	fam := "{sa_family=" + familyOf(b)
	if err != nil {
		return fam + ", sa_data=" + quote(b[2:], true) + "}"
	}
	switch a.Family {
	case abi.AF_UNIX:
		switch {
		case a.Path == "":
			return fam + "}"
		case a.Path[0] == 0:
			return fam + ", sun_path=@" + quote([]byte(a.Path[1:]), false) + "}"
		}
		return fam + ", sun_path=" + quote([]byte(a.Path), false) + "}"
	case abi.AF_INET:
		return fam + ", sin_port=htons(" + udec(uint64(a.Port)) + "), sin_addr=inet_addr(\"" + a.IP.String() + "\")}"
	case abi.AF_INET6:
		return fam + ", sin6_port=htons(" + udec(uint64(a.Port)) + "), sin6_flowinfo=htonl(" + udec(uint64(a.Flowinfo)) +
			"), inet_pton(AF_INET6, \"" + a.IP.String() + "\", &sin6_addr), sin6_scope_id=" + udec(uint64(a.ScopeID)) + "}"
	case abi.AF_NETLINK:
		return fam + ", nl_pid=" + udec(uint64(a.NlPid)) + ", nl_groups=" + padHex(uint64(a.NlGroups), 8) + "}"
	}
	return fam + "}"
}

func padHex(v uint64, w int) string {
	s := strconv.FormatUint(v, 16)
	return strings.Repeat("0", max(0, w-len(s))) + s
}

// sockaddrOut prints an address the call filled, as long as the length
// after it says (the argument after the address points at it).
func sockaddrOut(c *call, i int) string {
	v := c.args[i]
	if v == 0 || c.failed() {
		return ptr(v)
	}
	n := uint64(sockaddrOutSize)
	if i+1 < len(c.args) && c.args[i+1] != 0 {
		if b, ok := c.read(c.args[i+1], 4); ok {
			n = uint64(binary.LittleEndian.Uint32(b))
		}
	}
	return sockaddr(c, v, n)
}

// sockoptVal prints an option value: an int in brackets, or the bytes.
func sockoptVal(c *call, v, n uint64) string {
	if n == 4 {
		return c.decodeAt(v, 4, func(b []byte) string { return "[" + dec(uint64(binary.LittleEndian.Uint32(b))) + "]" })
	}
	return c.buf(v, n, true)
}

// sockoptOutVal prints the value getsockopt filled at v, as long as the
// length it stored at lenAddr.
func sockoptOutVal(c *call, v, lenAddr uint64) string {
	n := uint64(4)
	if b, ok := c.read(lenAddr, 4); ok {
		n = uint64(binary.LittleEndian.Uint32(b))
	}
	if c.args[1] == abi.SOL_SOCKET && c.args[2] == abi.SO_PEERCRED && n >= abi.SizeofUcred {
		return c.decodeAt(v, abi.SizeofUcred, ucredString)
	}
	return sockoptVal(c, v, n)
}

func ucredString(b []byte) string {
	u := abi.DecodeUcred(b)
	return "{pid=" + dec(uint64(u.Pid)) + ", uid=" + udec(uint64(u.UID)) + ", gid=" + udec(uint64(u.GID)) + "}"
}

// msghdr prints a struct msghdr; data bounds what its buffers show (the
// bytes received).
func msghdr(c *call, v uint64, data uint64) string {
	return c.decodeAt(v, abi.SizeofMsghdr, func(b []byte) string {
		h := abi.DecodeMsghdr(b)
		name := "NULL"
		if h.Name != 0 {
			name = sockaddr(c, h.Name, uint64(h.Namelen))
		}
		iov := "NULL"
		if h.Iov != 0 {
			iov = iovec(c, h.Iov, h.Iovlen, data)
		}
		return "{msg_name=" + name + ", msg_namelen=" + udec(uint64(h.Namelen)) + ", msg_iov=" + iov +
			", msg_iovlen=" + udec(h.Iovlen) + ", msg_control=" + cmsgs(c, h.Control, h.Controllen) +
			", msg_controllen=" + udec(h.Controllen) + ", msg_flags=" + flags(uint64(uint32(h.Flags)), msgFlags) + "}"
	})
}

// cmsgs prints control messages: the descriptors of SCM_RIGHTS and the
// credentials of SCM_CREDENTIALS decoded.
func cmsgs(c *call, v, n uint64) string {
	if v == 0 || n == 0 {
		return "NULL"
	}
	b, ok := c.read(v, int(min(n, 4096)))
	if !ok {
		return ptr(v)
	}
	msgs, err := abi.ParseCmsgs(b)
	if err != nil {
		return ptr(v)
	}
	var parts []string
	for _, m := range msgs {
		s := "{cmsg_len=" + udec(uint64(abi.SizeofCmsghdr+len(m.Data))) + ", cmsg_level=" +
			enum(uint64(uint32(m.Level)), sockLevel, "SOL_???")
		data := ""
		if m.Level == abi.SOL_SOCKET {
			switch m.Type {
			case abi.SCM_RIGHTS:
				s += ", cmsg_type=SCM_RIGHTS"
				var fds []string
				for i := 0; i+4 <= len(m.Data); i += 4 {
					fds = append(fds, c.fd(uint64(binary.LittleEndian.Uint32(m.Data[i:]))))
				}
				data = "[" + strings.Join(fds, ", ") + "]"
			case abi.SCM_CREDENTIALS:
				s += ", cmsg_type=SCM_CREDENTIALS"
				if len(m.Data) >= abi.SizeofUcred {
					data = ucredString(m.Data)
				}
			default:
				s += ", cmsg_type=" + udec(uint64(uint32(m.Type)))
			}
		} else {
			s += ", cmsg_type=" + udec(uint64(uint32(m.Type)))
		}
		if data != "" {
			s += ", cmsg_data=" + data
		}
		parts = append(parts, s+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// mmsghdrs prints n struct mmsghdr: each message and its length, when
// the call returned it.
func mmsghdrs(c *call, v, n uint64, done bool) string {
	var parts []string
	for i := uint64(0); i < min(n, 1024); i++ {
		at := v + i*abi.SizeofMmsghdr
		s := "{msg_hdr=" + msghdr(c, at, ^uint64(0))
		if b, ok := c.read(at+abi.SizeofMsghdr, 4); ok && done {
			s += ", msg_len=" + udec(uint64(binary.LittleEndian.Uint32(b)))
		}
		parts = append(parts, s+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
