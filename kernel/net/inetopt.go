package net

import (
	"encoding/binary"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"

	"paddock/abi"
)

// inetFlags are the options of an IP socket paddock keeps itself,
// netstack having no place for them.
type inetFlags struct {
	timestamp bool // SO_TIMESTAMP: receives carry their time
	// IP_RECVOPTS and IP_RETOPTS ask for a packet's IP options; no
	// packet paddock's network carries has any.
	recvOpts, retOpts bool
	fastOpen          int // TCP_FASTOPEN's queue; netstack has no TFO, so clients fall back
	// IPV6_RECVHOPLIMIT and RFC 2292's IPV6_2292HOPLIMIT ask for the
	// hop limit, each under its own cmsg type.
	hopLimit, hopLimit2292 bool
}

// optKey is an option's level and name.
type optKey [2]int

// boolOpts are the on-off options netstack keeps for every IP socket,
// by level and name.
var boolOpts = map[optKey]struct {
	get func(*tcpip.SocketOptions) bool
	set func(*tcpip.SocketOptions, bool)
}{
	{abi.SOL_SOCKET, abi.SO_REUSEADDR}:      {(*tcpip.SocketOptions).GetReuseAddress, (*tcpip.SocketOptions).SetReuseAddress},
	{abi.SOL_SOCKET, abi.SO_REUSEPORT}:      {(*tcpip.SocketOptions).GetReusePort, (*tcpip.SocketOptions).SetReusePort},
	{abi.SOL_SOCKET, abi.SO_KEEPALIVE}:      {(*tcpip.SocketOptions).GetKeepAlive, (*tcpip.SocketOptions).SetKeepAlive},
	{abi.SOL_SOCKET, abi.SO_BROADCAST}:      {(*tcpip.SocketOptions).GetBroadcast, (*tcpip.SocketOptions).SetBroadcast},
	{abi.SOL_TCP, abi.TCP_CORK}:             {(*tcpip.SocketOptions).GetCorkOption, (*tcpip.SocketOptions).SetCorkOption},
	{abi.SOL_TCP, abi.TCP_QUICKACK}:         {(*tcpip.SocketOptions).GetQuickAck, (*tcpip.SocketOptions).SetQuickAck},
	{abi.SOL_IP, abi.IP_RECVTTL}:            {(*tcpip.SocketOptions).GetReceiveTTL, (*tcpip.SocketOptions).SetReceiveTTL},
	{abi.SOL_IP, abi.IP_RECVTOS}:            {(*tcpip.SocketOptions).GetReceiveTOS, (*tcpip.SocketOptions).SetReceiveTOS},
	{abi.SOL_IP, abi.IP_PKTINFO}:            {(*tcpip.SocketOptions).GetReceivePacketInfo, (*tcpip.SocketOptions).SetReceivePacketInfo},
	{abi.SOL_IP, abi.IP_RECVERR}:            {(*tcpip.SocketOptions).GetIPv4RecvError, (*tcpip.SocketOptions).SetIPv4RecvError},
	{abi.SOL_IP, abi.IP_MULTICAST_LOOP}:     {(*tcpip.SocketOptions).GetMulticastLoop, (*tcpip.SocketOptions).SetMulticastLoop},
	{abi.SOL_IPV6, abi.IPV6_V6ONLY}:         {(*tcpip.SocketOptions).GetV6Only, (*tcpip.SocketOptions).SetV6Only},
	{abi.SOL_IPV6, abi.IPV6_RECVPKTINFO}:    {(*tcpip.SocketOptions).GetIPv6ReceivePacketInfo, (*tcpip.SocketOptions).SetIPv6ReceivePacketInfo},
	{abi.SOL_IPV6, abi.IPV6_RECVTCLASS}:     {(*tcpip.SocketOptions).GetReceiveTClass, (*tcpip.SocketOptions).SetReceiveTClass},
	{abi.SOL_IPV6, abi.IPV6_RECVERR}:        {(*tcpip.SocketOptions).GetIPv6RecvError, (*tcpip.SocketOptions).SetIPv6RecvError},
	{abi.SOL_IPV6, abi.IPV6_MULTICAST_LOOP}: {(*tcpip.SocketOptions).GetMulticastLoop, (*tcpip.SocketOptions).SetMulticastLoop},
}

// intOpts are the integer options netstack keeps, by level and name.
var intOpts = map[optKey]tcpip.SockOptInt{
	{abi.SOL_IP, abi.IP_TOS}:                tcpip.IPv4TOSOption,
	{abi.SOL_IP, abi.IP_MTU_DISCOVER}:       tcpip.MTUDiscoverOption,
	{abi.SOL_IP, abi.IP_MULTICAST_TTL}:      tcpip.MulticastTTLOption,
	{abi.SOL_IPV6, abi.IPV6_TCLASS}:         tcpip.IPv6TrafficClassOption,
	{abi.SOL_IPV6, abi.IPV6_MTU_DISCOVER}:   tcpip.MTUDiscoverOption,
	{abi.SOL_IPV6, abi.IPV6_MULTICAST_HOPS}: tcpip.MulticastTTLOption,
	{abi.SOL_TCP, abi.TCP_MAXSEG}:           tcpip.MaxSegOption,
	{abi.SOL_TCP, abi.TCP_KEEPCNT}:          tcpip.KeepaliveCountOption,
}

// levelFits reports whether an option's level belongs to the socket
// (ENOPROTOOPT otherwise: a protocol hands levels not its own down to
// IP's, which knows only its own).
func (is *inetSocket) levelFits(level int) error {
	switch level {
	case abi.SOL_TCP:
		if is.typ != abi.SOCK_STREAM {
			return abi.ENOPROTOOPT
		}
	case abi.SOL_IPV6:
		if is.family != abi.AF_INET6 {
			return abi.ENOPROTOOPT
		}
	case abi.SOL_ICMPV6:
		if is.family != abi.AF_INET6 || is.typ != abi.SOCK_RAW || is.protocol != abi.IPPROTO_ICMPV6 {
			return abi.ENOPROTOOPT
		}
	case abi.SOL_RAW:
		if is.typ != abi.SOCK_RAW {
			return abi.ENOPROTOOPT
		}
	}
	return nil
}

// GetSockOpt implements Socket.
func (is *inetSocket) GetSockOpt(ctx Context, level, name int) ([]byte, error) {
	if err := is.levelFits(level); err != nil {
		return nil, err
	}
	so := is.ep.SocketOptions()
	if o, ok := boolOpts[optKey{level, name}]; ok {
		return intOpt(boolInt(o.get(so))), nil
	}
	if o, ok := intOpts[optKey{level, name}]; ok {
		v, err := is.ep.GetSockOptInt(o)
		if err != nil {
			return nil, errno(err)
		}
		return intOpt(v), nil
	}
	is.mu.Lock()
	flags := is.flags
	is.mu.Unlock()
	switch (optKey{level, name}) {
	case optKey{abi.SOL_SOCKET, abi.SO_TYPE}:
		return intOpt(is.typ), nil
	case optKey{abi.SOL_SOCKET, abi.SO_DOMAIN}:
		return intOpt(is.family), nil
	case optKey{abi.SOL_SOCKET, abi.SO_PROTOCOL}:
		return intOpt(is.protocol), nil
	case optKey{abi.SOL_SOCKET, abi.SO_ACCEPTCONN}:
		return intOpt(boolInt(so.GetAcceptConn())), nil
	case optKey{abi.SOL_SOCKET, abi.SO_ERROR}:
		code := 0
		if e, ok := errno(is.ep.LastError()).(abi.Errno); ok {
			code = int(e)
		}
		return intOpt(code), nil
	case optKey{abi.SOL_SOCKET, abi.SO_SNDBUF}:
		return intOpt(int(so.GetSendBufferSize())), nil
	case optKey{abi.SOL_SOCKET, abi.SO_RCVBUF}:
		return intOpt(int(so.GetReceiveBufferSize())), nil
	case optKey{abi.SOL_SOCKET, abi.SO_TIMESTAMP}:
		return intOpt(boolInt(flags.timestamp)), nil
	case optKey{abi.SOL_SOCKET, abi.SO_LINGER}:
		l := so.GetLinger()
		b := make([]byte, abi.SizeofLinger)
		copy(b, intOpt(boolInt(l.Enabled)))
		copy(b[4:], intOpt(int(l.Timeout/time.Second)))
		return b, nil
	case optKey{abi.SOL_SOCKET, abi.SO_RCVTIMEO}, optKey{abi.SOL_SOCKET, abi.SO_SNDTIMEO}:
		d := is.deadlineAfter(name == abi.SO_RCVTIMEO)
		b := make([]byte, abi.SizeofTimeval)
		abi.DurationTimeval(d).Encode(b)
		return b, nil
	case optKey{abi.SOL_TCP, abi.TCP_NODELAY}:
		return intOpt(boolInt(!so.GetDelayOption())), nil
	case optKey{abi.SOL_TCP, abi.TCP_KEEPIDLE}:
		var v tcpip.KeepaliveIdleOption
		is.ep.GetSockOpt(&v)
		return intOpt(int(time.Duration(v) / time.Second)), nil
	case optKey{abi.SOL_TCP, abi.TCP_KEEPINTVL}:
		var v tcpip.KeepaliveIntervalOption
		is.ep.GetSockOpt(&v)
		return intOpt(int(time.Duration(v) / time.Second)), nil
	case optKey{abi.SOL_TCP, abi.TCP_DEFER_ACCEPT}:
		var v tcpip.TCPDeferAcceptOption
		is.ep.GetSockOpt(&v)
		return intOpt(int(time.Duration(v) / time.Second)), nil
	case optKey{abi.SOL_TCP, abi.TCP_USER_TIMEOUT}:
		var v tcpip.TCPUserTimeoutOption
		is.ep.GetSockOpt(&v)
		return intOpt(int(time.Duration(v) / time.Millisecond)), nil
	case optKey{abi.SOL_TCP, abi.TCP_LINGER2}:
		var v tcpip.TCPLingerTimeoutOption
		is.ep.GetSockOpt(&v)
		return intOpt(int(time.Duration(v) / time.Second)), nil
	case optKey{abi.SOL_TCP, abi.TCP_FASTOPEN}:
		return intOpt(flags.fastOpen), nil
	case optKey{abi.SOL_IP, abi.IP_TTL}:
		v, _ := is.ep.GetSockOptInt(tcpip.IPv4TTLOption)
		if v == 0 {
			v = defaultTTL // what 0 stands for
		}
		return intOpt(v), nil
	case optKey{abi.SOL_IP, abi.IP_RECVOPTS}:
		return intOpt(boolInt(flags.recvOpts)), nil
	case optKey{abi.SOL_IP, abi.IP_RETOPTS}:
		return intOpt(boolInt(flags.retOpts)), nil
	case optKey{abi.SOL_IPV6, abi.IPV6_RECVHOPLIMIT}:
		return intOpt(boolInt(flags.hopLimit)), nil
	case optKey{abi.SOL_IPV6, abi.IPV6_2292HOPLIMIT}:
		return intOpt(boolInt(flags.hopLimit2292)), nil
	case optKey{abi.SOL_IPV6, abi.IPV6_UNICAST_HOPS}:
		v, _ := is.ep.GetSockOptInt(tcpip.IPv6HopLimitOption)
		if v < 0 {
			v = defaultTTL
		}
		return intOpt(v), nil
	case optKey{abi.SOL_ICMPV6, abi.ICMP6_FILTER}:
		var f tcpip.ICMPv6Filter
		if err := is.ep.GetSockOpt(&f); err != nil {
			return nil, errno(err)
		}
		b := make([]byte, abi.SizeofICMP6Filter)
		for i, w := range f.DenyType {
			binary.LittleEndian.PutUint32(b[4*i:], w)
		}
		return b, nil
	}
	return nil, abi.ENOPROTOOPT
}

// defaultTTL is the TTL and hop limit of a socket that sets none
// (net.ipv4.ip_default_ttl).
const defaultTTL = 64

// SetSockOpt implements Socket.
func (is *inetSocket) SetSockOpt(ctx Context, level, name int, val []byte) error {
	if err := is.levelFits(level); err != nil {
		return err
	}
	so := is.ep.SocketOptions()
	switch (optKey{level, name}) {
	case optKey{abi.SOL_SOCKET, abi.SO_RCVTIMEO}, optKey{abi.SOL_SOCKET, abi.SO_SNDTIMEO}:
		d, err := timeoutOpt(val)
		if err != nil {
			return err
		}
		is.mu.Lock()
		if name == abi.SO_RCVTIMEO {
			is.rcvtimeo = d
		} else {
			is.sndtimeo = d
		}
		is.mu.Unlock()
		return nil
	case optKey{abi.SOL_SOCKET, abi.SO_LINGER}:
		if len(val) < abi.SizeofLinger {
			return abi.EINVAL
		}
		on, _ := optInt(val)
		secs, _ := optInt(val[4:])
		so.SetLinger(tcpip.LingerOption{Enabled: on != 0, Timeout: time.Duration(secs) * time.Second})
		return nil
	case optKey{abi.SOL_ICMPV6, abi.ICMP6_FILTER}:
		if len(val) < abi.SizeofICMP6Filter {
			return abi.EINVAL
		}
		var f tcpip.ICMPv6Filter
		for i := range f.DenyType {
			f.DenyType[i] = binary.LittleEndian.Uint32(val[4*i:])
		}
		return errno(is.ep.SetSockOpt(&f))
	}
	v, err := optInt(val)
	if err != nil {
		return err
	}
	if o, ok := boolOpts[optKey{level, name}]; ok {
		o.set(so, v != 0)
		return nil
	}
	if o, ok := intOpts[optKey{level, name}]; ok {
		return errno(is.ep.SetSockOptInt(o, v))
	}
	seconds := func(v int) time.Duration { return time.Duration(v) * time.Second }
	switch (optKey{level, name}) {
	case optKey{abi.SOL_SOCKET, abi.SO_SNDBUF}:
		so.SetSendBufferSize(int64(bufSize(v)), true)
	case optKey{abi.SOL_SOCKET, abi.SO_RCVBUF}:
		so.SetReceiveBufferSize(int64(bufSize(v)), true)
	case optKey{abi.SOL_SOCKET, abi.SO_TIMESTAMP}:
		is.setFlag(func(f *inetFlags) { f.timestamp = v != 0 })
	case optKey{abi.SOL_TCP, abi.TCP_NODELAY}:
		so.SetDelayOption(v == 0)
	case optKey{abi.SOL_TCP, abi.TCP_KEEPIDLE}, optKey{abi.SOL_TCP, abi.TCP_KEEPINTVL}:
		if v < 1 || v > 32767 {
			return abi.EINVAL
		}
		if name == abi.TCP_KEEPIDLE {
			o := tcpip.KeepaliveIdleOption(seconds(v))
			return errno(is.ep.SetSockOpt(&o))
		}
		o := tcpip.KeepaliveIntervalOption(seconds(v))
		return errno(is.ep.SetSockOpt(&o))
	case optKey{abi.SOL_TCP, abi.TCP_DEFER_ACCEPT}:
		o := tcpip.TCPDeferAcceptOption(seconds(max(v, 0)))
		return errno(is.ep.SetSockOpt(&o))
	case optKey{abi.SOL_TCP, abi.TCP_USER_TIMEOUT}:
		if v < 0 {
			return abi.EINVAL
		}
		o := tcpip.TCPUserTimeoutOption(time.Duration(v) * time.Millisecond)
		return errno(is.ep.SetSockOpt(&o))
	case optKey{abi.SOL_TCP, abi.TCP_LINGER2}:
		o := tcpip.TCPLingerTimeoutOption(seconds(v))
		return errno(is.ep.SetSockOpt(&o))
	case optKey{abi.SOL_TCP, abi.TCP_FASTOPEN}:
		if v < 0 {
			return abi.EINVAL
		}
		is.setFlag(func(f *inetFlags) { f.fastOpen = v })
	case optKey{abi.SOL_IP, abi.IP_TTL}:
		if v == -1 {
			v = 0 // the default
		}
		if v < 0 || v > 255 {
			return abi.EINVAL
		}
		return errno(is.ep.SetSockOptInt(tcpip.IPv4TTLOption, v))
	case optKey{abi.SOL_IP, abi.IP_RECVOPTS}:
		is.setFlag(func(f *inetFlags) { f.recvOpts = v != 0 })
	case optKey{abi.SOL_IP, abi.IP_RETOPTS}:
		is.setFlag(func(f *inetFlags) { f.retOpts = v != 0 })
	case optKey{abi.SOL_IPV6, abi.IPV6_UNICAST_HOPS}:
		if v < -1 || v > 255 {
			return abi.EINVAL
		}
		return errno(is.ep.SetSockOptInt(tcpip.IPv6HopLimitOption, v))
	case optKey{abi.SOL_IPV6, abi.IPV6_RECVHOPLIMIT}, optKey{abi.SOL_IPV6, abi.IPV6_2292HOPLIMIT}:
		is.mu.Lock()
		if name == abi.IPV6_RECVHOPLIMIT {
			is.flags.hopLimit = v != 0
		} else {
			is.flags.hopLimit2292 = v != 0
		}
		so.SetReceiveHopLimit(is.flags.hopLimit || is.flags.hopLimit2292)
		is.mu.Unlock()
	case optKey{abi.SOL_IPV6, abi.IPV6_CHECKSUM}, optKey{abi.SOL_RAW, abi.IPV6_CHECKSUM}:
		switch {
		case is.family != abi.AF_INET6 || is.typ != abi.SOCK_RAW:
			return abi.ENOPROTOOPT
		case v > 0 && v&1 != 0:
			return abi.EINVAL
		case is.protocol == abi.IPPROTO_ICMPV6:
			// ICMPv6's checksum is at offset 2 and the kernel's to
			// compute: asking for it there is allowed at SOL_RAW and
			// changes nothing, anything else is refused
			// (do_rawv6_setsockopt).
			if level == abi.SOL_IPV6 || v != 2 {
				return abi.EINVAL
			}
			return nil
		}
		return errno(is.ep.SetSockOptInt(tcpip.IPv6Checksum, v))
	default:
		return abi.ENOPROTOOPT
	}
	return nil
}

func (is *inetSocket) setFlag(f func(*inetFlags)) {
	is.mu.Lock()
	f(&is.flags)
	is.mu.Unlock()
}

// deadlineAfter is SO_RCVTIMEO's (recv) or SO_SNDTIMEO's timeout.
func (is *inetSocket) deadlineAfter(recv bool) time.Duration {
	is.mu.Lock()
	defer is.mu.Unlock()
	if recv {
		return is.rcvtimeo
	}
	return is.sndtimeo
}

// control is the control messages a receive delivers, in Linux's order:
// the time (sock_recv_timestamp), then IPv4's packet information, TTL and
// TOS (ip_cmsg_recv_offset) or IPv6's packet information, hop limit and
// traffic class (ip6_datagram_recv_specific_ctl).
func (is *inetSocket) control(cm tcpip.ReceivableControlMessages) []abi.Cmsg {
	var out []abi.Cmsg
	add := func(level, typ int, data []byte) {
		out = append(out, abi.Cmsg{Level: int32(level), Type: int32(typ), Data: data})
	}
	is.mu.Lock()
	flags := is.flags
	is.mu.Unlock()
	stamp := flags.timestamp
	if stamp && cm.HasTimestamp {
		b := make([]byte, abi.SizeofTimeval)
		abi.DurationTimeval(time.Duration(cm.Timestamp.UnixNano())).Encode(b)
		add(abi.SOL_SOCKET, abi.SO_TIMESTAMP, b)
	}
	if cm.HasIPPacketInfo {
		b := make([]byte, abi.SizeofInPktinfo)
		binary.LittleEndian.PutUint32(b, uint32(cm.PacketInfo.NIC))
		copy(b[4:8], cm.PacketInfo.LocalAddr.AsSlice())
		copy(b[8:12], cm.PacketInfo.DestinationAddr.AsSlice())
		add(abi.SOL_IP, abi.IP_PKTINFO, b)
	}
	if cm.HasTTL {
		add(abi.SOL_IP, abi.IP_TTL, intOpt(int(cm.TTL)))
	}
	if cm.HasTOS {
		add(abi.SOL_IP, abi.IP_TOS, []byte{cm.TOS})
	}
	if cm.HasIPv6PacketInfo {
		b := make([]byte, abi.SizeofIn6Pktinfo)
		copy(b, cm.IPv6PacketInfo.Addr.AsSlice())
		binary.LittleEndian.PutUint32(b[16:], uint32(cm.IPv6PacketInfo.NIC))
		add(abi.SOL_IPV6, abi.IPV6_PKTINFO, b)
	}
	if cm.HasHopLimit && flags.hopLimit {
		add(abi.SOL_IPV6, abi.IPV6_HOPLIMIT, intOpt(int(cm.HopLimit)))
	}
	if cm.HasHopLimit && flags.hopLimit2292 {
		add(abi.SOL_IPV6, abi.IPV6_2292HOPLIMIT, intOpt(int(cm.HopLimit)))
	}
	if cm.HasTClass {
		add(abi.SOL_IPV6, abi.IPV6_TCLASS, intOpt(int(cm.TClass)))
	}
	return out
}
