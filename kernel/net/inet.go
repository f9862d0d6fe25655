package net

import (
	"bytes"
	"io"
	"net/netip"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// AF_INET and AF_INET6 sockets are endpoints of gVisor's netstack, one
// network stack a kernel, the way gVisor's sentry uses it
// (pkg/sentry/socket/netstack): a socket call is the endpoint's call, a
// netstack error is its errno, and the endpoint's waiter queue is bridged
// to the file's, so that poll, epoll and blocking calls work as for any
// file.

// loopbackNIC is the loopback interface's id (lo, index 1).
const loopbackNIC tcpip.NICID = 1

// newNetstack makes a stack with IPv4, IPv6, TCP, UDP and ICMP, and the
// loopback interface with 127.0.0.1/8 and ::1.
func newNetstack() *stack.Stack {
	ns := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, ipv6.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol, icmp.NewProtocol4, icmp.NewProtocol6},
		HandleLocal:        true,
		RawFactory:         raw.EndpointFactory{},
	})
	// Linux's TCP defaults: SACK on, and a delay before a closed
	// connection's port is free for reuse paddock does not need.
	sack := tcpip.TCPSACKEnabled(true)
	ns.SetTransportProtocolOption(tcp.ProtocolNumber, &sack)
	// Linux's ephemeral ports (net.ipv4.ip_local_port_range).
	if err := ns.SetPortRange(32768, 60999); err != nil {
		panic("net: setting the ephemeral ports: " + err.String())
	}
	if err := ns.CreateNICWithOptions(loopbackNIC, loopback.New(), stack.NICOptions{Name: "lo"}); err != nil {
		panic("net: creating the loopback interface: " + err.String())
	}
	for _, a := range []tcpip.ProtocolAddress{
		{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4([4]byte{127, 0, 0, 1}), PrefixLen: 8}},
		{Protocol: ipv6.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{Address: tcpip.AddrFrom16([16]byte{15: 1}), PrefixLen: 128}},
	} {
		if err := ns.AddProtocolAddress(loopbackNIC, a, stack.AddressProperties{}); err != nil {
			panic("net: adding a loopback address: " + err.String())
		}
	}
	ns.SetRouteTable(loopbackRoutes())
	return ns
}

// inetSocket is an AF_INET or AF_INET6 socket on a netstack endpoint.
type inetSocket struct {
	stack    *Stack
	family   int
	typ      int
	protocol int
	ep       tcpip.Endpoint
	wq       *waiter.Queue
	entry    waiter.Entry
	q        vfs.Queue

	mu       sync.Mutex
	rcvtimeo time.Duration
	sndtimeo time.Duration
	flags    inetFlags
}

// newInet makes a socket of family, type and protocol (inet_create's
// choice of protocol: the type's own for 0). A raw socket takes root
// (CAP_NET_RAW) and a protocol; one of IPPROTO_RAW only sends.
func (s *Stack) newInet(ctx Context, family, typ, protocol int) (Socket, error) {
	netProto := ipv4.ProtocolNumber
	if family == abi.AF_INET6 {
		netProto = ipv6.ProtocolNumber
	}
	var transport tcpip.TransportProtocolNumber
	switch {
	case typ == abi.SOCK_STREAM && (protocol == 0 || protocol == abi.IPPROTO_TCP):
		transport, protocol = tcp.ProtocolNumber, abi.IPPROTO_TCP
	case typ == abi.SOCK_DGRAM && (protocol == 0 || protocol == abi.IPPROTO_UDP):
		transport, protocol = udp.ProtocolNumber, abi.IPPROTO_UDP
	case typ == abi.SOCK_DGRAM && family == abi.AF_INET && protocol == abi.IPPROTO_ICMP:
		transport = icmp.ProtocolNumber4
	case typ == abi.SOCK_DGRAM && family == abi.AF_INET6 && protocol == abi.IPPROTO_ICMPV6:
		transport = icmp.ProtocolNumber6
	case typ == abi.SOCK_RAW:
		if protocol <= 0 || protocol > 255 {
			return nil, abi.EPROTONOSUPPORT
		}
		if !ctx.Creds().Root() {
			return nil, abi.EPERM
		}
		wq := &waiter.Queue{}
		ep, err := s.ns.NewRawEndpoint(tcpip.TransportProtocolNumber(protocol), netProto, wq, protocol != abi.IPPROTO_RAW)
		if err != nil {
			return nil, errno(err)
		}
		return s.wrapInet(family, typ, protocol, ep, wq), nil
	case typ == abi.SOCK_STREAM || typ == abi.SOCK_DGRAM:
		return nil, abi.EPROTONOSUPPORT
	default:
		return nil, abi.ESOCKTNOSUPPORT
	}
	wq := &waiter.Queue{}
	ep, err := s.ns.NewEndpoint(transport, netProto, wq)
	if err != nil {
		return nil, errno(err)
	}
	return s.wrapInet(family, typ, protocol, ep, wq), nil
}

// wrapInet makes a socket of an endpoint (a new one, or one accept gave),
// its waiter queue bridged to the file's.
func (s *Stack) wrapInet(family, typ, protocol int, ep tcpip.Endpoint, wq *waiter.Queue) *inetSocket {
	is := &inetSocket{stack: s, family: family, typ: typ, protocol: protocol, ep: ep, wq: wq}
	is.entry = waiter.NewFunctionEntry(waiter.AllEvents, func(m waiter.EventMask) { is.q.Notify(uint32(m)) })
	wq.EventRegister(&is.entry)
	return is
}

func (is *inetSocket) Family() int   { return is.family }
func (is *inetSocket) Type() int     { return is.typ }
func (is *inetSocket) Protocol() int { return is.protocol }

// fullAddress converts a sockaddr for the endpoint: an IPv4 address on an
// IPv6 socket is refused as Linux refuses it, AF_UNSPEC means any
// address. EAFNOSUPPORT for another family, EINVAL for a short one.
func (is *inetSocket) fullAddress(a abi.Sockaddr) (tcpip.FullAddress, error) {
	switch {
	case int(a.Family) == is.family:
	case a.Family == abi.AF_UNSPEC:
		return tcpip.FullAddress{Port: a.Port}, nil
	default:
		return tcpip.FullAddress{}, abi.EAFNOSUPPORT
	}
	fa := tcpip.FullAddress{Port: a.Port}
	if !a.IP.IsUnspecified() {
		fa.Addr = tcpip.AddrFromSlice(a.IP.AsSlice())
	}
	return fa, nil
}

// sockaddr converts an endpoint's address for the caller, in the
// socket's family (an IPv6 socket reports an IPv4 peer as ::ffff:a.b.c.d).
func (is *inetSocket) sockaddr(fa tcpip.FullAddress) abi.Sockaddr {
	ip, _ := netip.AddrFromSlice(fa.Addr.AsSlice())
	if is.family == abi.AF_INET6 {
		if !ip.IsValid() {
			ip = netip.IPv6Unspecified()
		}
		return abi.Sockaddr{Family: abi.AF_INET6, IP: netip.AddrFrom16(ip.As16()), Port: fa.Port}
	}
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	return abi.Sockaddr{Family: abi.AF_INET, IP: ip.Unmap(), Port: fa.Port}
}

// Bind implements Socket.
func (is *inetSocket) Bind(ctx Context, a abi.Sockaddr) error {
	if int(a.Family) != is.family {
		if is.family == abi.AF_INET && a.Family == abi.AF_UNSPEC {
			// An IPv4 socket takes AF_UNSPEC for INADDR_ANY only
			// (inet_bind).
			if a.IP.IsValid() && !a.IP.IsUnspecified() {
				return abi.EAFNOSUPPORT
			}
		} else {
			return abi.EAFNOSUPPORT
		}
	}
	fa, err := is.fullAddress(a)
	if err != nil {
		return err
	}
	if fa.Port != 0 && fa.Port < 1024 && !ctx.Creds().Root() {
		return abi.EACCES
	}
	return errno(is.ep.Bind(fa))
}

// Listen implements Socket.
func (is *inetSocket) Listen(ctx Context, backlog int) error {
	if is.typ != abi.SOCK_STREAM {
		return abi.EOPNOTSUPP
	}
	return errno(is.ep.Listen(min(max(backlog, 0), abi.SOMAXCONN)))
}

// Accept implements Socket.
func (is *inetSocket) Accept(ctx Context, nonblock bool) (Socket, abi.Sockaddr, error) {
	var peer tcpip.FullAddress
	var nep tcpip.Endpoint
	var nwq *waiter.Queue
	err := wait(ctx, &is.q, abi.POLLIN, nonblock, is.deadline(true), func() error {
		var terr tcpip.Error
		nep, nwq, terr = is.ep.Accept(&peer)
		return errno(terr)
	})
	if err != nil {
		return nil, abi.Sockaddr{}, err
	}
	ns := is.stack.wrapInet(is.family, is.typ, is.protocol, nep, nwq)
	return ns, is.sockaddr(peer), nil
}

// Connect implements Socket: a TCP connection is made before it returns,
// or, on a non-blocking socket, goes on after EINPROGRESS, its result
// seen by poll's POLLOUT and SO_ERROR (inet_stream_connect). AF_UNSPEC
// disconnects a datagram socket.
func (is *inetSocket) Connect(ctx Context, a abi.Sockaddr, nonblock bool) error {
	if a.Family == abi.AF_UNSPEC && is.typ == abi.SOCK_DGRAM {
		return errno(is.ep.Disconnect())
	}
	if int(a.Family) != is.family {
		return abi.EAFNOSUPPORT
	}
	fa, err := is.fullAddress(a)
	if err != nil {
		return err
	}
	if !nonblock && is.typ == abi.SOCK_STREAM && vfs.Trying(ctx) {
		// A connection takes time: the call runs where it may sleep,
		// having started nothing here.
		return vfs.ErrMustBlock
	}
	terr := is.ep.Connect(fa)
	if _, started := terr.(*tcpip.ErrConnectStarted); !started {
		return errno(terr)
	}
	if nonblock {
		return abi.EINPROGRESS
	}
	return wait(ctx, &is.q, abi.POLLOUT|abi.POLLERR|abi.POLLHUP, false, is.deadline(false), func() error {
		if is.ep.Readiness(waiter.WritableEvents|waiter.EventErr|waiter.EventHUp) == 0 {
			return abi.EAGAIN
		}
		return errno(is.ep.LastError())
	})
}

// Name implements Socket.
func (is *inetSocket) Name() abi.Sockaddr {
	fa, _ := is.ep.GetLocalAddress()
	return is.sockaddr(fa)
}

// Peer implements Socket.
func (is *inetSocket) Peer() (abi.Sockaddr, error) {
	fa, err := is.ep.GetRemoteAddress()
	if err != nil {
		return abi.Sockaddr{}, errno(err)
	}
	return is.sockaddr(fa), nil
}

// deadline is when a receive or send gives up (SO_RCVTIMEO, SO_SNDTIMEO).
func (is *inetSocket) deadline(recv bool) time.Time {
	is.mu.Lock()
	d := is.sndtimeo
	if recv {
		d = is.rcvtimeo
	}
	is.mu.Unlock()
	if d == 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// Send implements Socket: a stream socket sends all of data unless it is
// non-blocking (then what fits, or EAGAIN); a datagram goes whole.
func (is *inetSocket) Send(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	nonblock = nonblock || flags&abi.MSG_DONTWAIT != 0
	var opts tcpip.WriteOptions
	opts.More = flags&abi.MSG_MORE != 0
	opts.EndOfRecord = flags&abi.MSG_EOR != 0
	if m.Addr != nil && is.typ != abi.SOCK_STREAM {
		fa, err := is.fullAddress(*m.Addr)
		if err != nil {
			return 0, err
		}
		opts.To = &fa
	}
	if len(m.Rights) > 0 {
		return 0, abi.EINVAL
	}
	if !nonblock && is.typ == abi.SOCK_STREAM && vfs.Trying(ctx) {
		// A blocking send that might not all go now must not send part
		// of itself before it sleeps.
		queued, _ := is.ep.GetSockOptInt(tcpip.SendQueueSizeOption)
		if int64(len(data)) > is.ep.SocketOptions().GetSendBufferSize()-int64(queued) {
			return 0, vfs.ErrMustBlock
		}
	}
	sent := 0
	err := wait(ctx, &is.q, abi.POLLOUT, nonblock, is.deadline(false), func() error {
		for {
			var r bytes.Reader
			r.Reset(data[sent:])
			n, terr := is.ep.Write(&r, opts)
			sent += int(n)
			if terr != nil {
				if _, block := terr.(*tcpip.ErrWouldBlock); block && sent > 0 && nonblock {
					return nil
				}
				return errno(terr)
			}
			if sent >= len(data) || is.typ != abi.SOCK_STREAM {
				return nil
			}
		}
	})
	if sent > 0 && (err == nil || err == abi.EAGAIN || err == abi.ERESTARTSYS) {
		return sent, nil
	}
	return sent, err
}

// Recv implements Socket.
func (is *inetSocket) Recv(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	nonblock = nonblock || flags&abi.MSG_DONTWAIT != 0
	peek := flags&abi.MSG_PEEK != 0
	if flags&abi.MSG_WAITALL != 0 && !nonblock && vfs.Trying(ctx) {
		// It would take part and then sleep for the rest.
		return 0, vfs.ErrMustBlock
	}
	got := 0
	err := wait(ctx, &is.q, abi.POLLIN, nonblock, is.deadline(true), func() error {
		// A stream gives no more than the buffer holds; a datagram is
		// taken whole, and what does not fit is dropped.
		var w io.Writer = &tcpip.LimitedWriter{W: &sliceWriter{b: data[got:]}, N: int64(len(data) - got)}
		if is.typ != abi.SOCK_STREAM {
			w = &sliceWriter{b: data, drop: true}
		}
		res, terr := is.ep.Read(w, tcpip.ReadOptions{Peek: peek, NeedRemoteAddr: is.typ != abi.SOCK_STREAM})
		if terr != nil {
			switch terr.(type) {
			case *tcpip.ErrClosedForReceive:
				return nil // end of file
			case *tcpip.ErrWouldBlock:
				if got > 0 && flags&abi.MSG_WAITALL == 0 {
					return nil
				}
			}
			return errno(terr)
		}
		if is.typ != abi.SOCK_STREAM {
			got = min(res.Total, len(data))
			a := is.sockaddr(res.RemoteAddr)
			m.Addr = &a
			m.Control = is.control(res.ControlMessages)
			if res.Total > len(data) {
				m.Flags |= abi.MSG_TRUNC
				if flags&abi.MSG_TRUNC != 0 {
					got = res.Total
				}
			}
			return nil
		}
		got += res.Count
		if flags&abi.MSG_WAITALL != 0 && !peek && got < len(data) && res.Count > 0 {
			return abi.EAGAIN
		}
		return nil
	})
	if got > 0 {
		return got, nil
	}
	return 0, err
}

// sliceWriter fills b: its writer (tcpip.LimitedWriter) never gives it
// more than b holds, or with drop it takes everything and keeps what
// fits (netstack fails a datagram read that leaves bytes unwritten, even
// into an empty buffer, where Linux truncates).
type sliceWriter struct {
	b    []byte
	n    int
	drop bool
}

func (w *sliceWriter) Write(p []byte) (int, error) {
	k := copy(w.b[w.n:], p)
	w.n += k
	if w.drop {
		return len(p), nil
	}
	return k, nil
}

// Shutdown implements Socket.
func (is *inetSocket) Shutdown(how int) error {
	var f tcpip.ShutdownFlags
	switch how {
	case abi.SHUT_RD:
		f = tcpip.ShutdownRead
	case abi.SHUT_WR:
		f = tcpip.ShutdownWrite
	case abi.SHUT_RDWR:
		f = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return abi.EINVAL
	}
	return errno(is.ep.Shutdown(f))
}

// Release implements vfs.Releaser: the endpoint closes (with a reset if
// data was left unread, as tcp_close does).
func (is *inetSocket) Release() {
	is.wq.EventUnregister(&is.entry)
	is.ep.Close()
}

// queueLen implements Socket: the bytes a TCP receive would take or
// the next datagram's length (EINVAL on a listener, as tcp_ioctl). A
// datagram leaves at once, so none is ever unsent; netstack does not
// expose how much of a TCP stream is unacknowledged, so SIOCOUTQ on one
// fails with EOPNOTSUPP rather than guess.
func (is *inetSocket) queueLen(out bool) (int, error) {
	switch {
	case out && is.typ == abi.SOCK_STREAM:
		return 0, abi.EOPNOTSUPP
	case out:
		return 0, nil
	}
	v, err := is.ep.GetSockOptInt(tcpip.ReceiveQueueSizeOption)
	if err != nil {
		return 0, errno(err)
	}
	return v, nil
}

// Readiness implements vfs.Poller.
func (is *inetSocket) Readiness(mask uint32) uint32 {
	return uint32(is.ep.Readiness(waiter.EventMask(mask | abi.POLLERR | abi.POLLHUP)))
}

// Queue implements vfs.Poller.
func (is *inetSocket) Queue() *vfs.Queue { return &is.q }

// Read implements vfs.FileOps.
func (is *inetSocket) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	return is.Recv(ctx.(Context), dst, &Message{}, 0, f.NonBlocking())
}

// Write implements vfs.FileOps.
func (is *inetSocket) Write(ctx vfs.Context, f *vfs.File, src []byte, _ int64) (int, error) {
	return is.Send(ctx.(Context), src, &Message{}, 0, f.NonBlocking())
}

// errno is the errno of a netstack error (gVisor's
// syserr.TranslateNetstackError).
func errno(err tcpip.Error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *tcpip.ErrWouldBlock:
		return abi.EAGAIN
	case *tcpip.ErrConnectionRefused:
		return abi.ECONNREFUSED
	case *tcpip.ErrConnectionReset:
		return abi.ECONNRESET
	case *tcpip.ErrConnectionAborted:
		return abi.ECONNABORTED
	case *tcpip.ErrPortInUse:
		return abi.EADDRINUSE
	case *tcpip.ErrBadLocalAddress:
		return abi.EADDRNOTAVAIL
	case *tcpip.ErrClosedForSend, *tcpip.ErrAborted:
		return abi.EPIPE
	case *tcpip.ErrNotConnected:
		return abi.ENOTCONN
	case *tcpip.ErrAlreadyConnected:
		return abi.EISCONN
	case *tcpip.ErrAlreadyConnecting:
		return abi.EALREADY
	case *tcpip.ErrConnectStarted:
		return abi.EINPROGRESS
	case *tcpip.ErrInvalidEndpointState, *tcpip.ErrAlreadyBound, *tcpip.ErrInvalidOptionValue, *tcpip.ErrMalformedHeader:
		return abi.EINVAL
	case *tcpip.ErrNetworkUnreachable, *tcpip.ErrNoNet:
		return abi.ENETUNREACH
	case *tcpip.ErrHostUnreachable:
		return abi.EHOSTUNREACH
	case *tcpip.ErrHostDown:
		return abi.EHOSTDOWN
	case *tcpip.ErrTimeout:
		return abi.ETIMEDOUT
	case *tcpip.ErrMessageTooLong:
		return abi.EMSGSIZE
	case *tcpip.ErrAddressFamilyNotSupported:
		return abi.EAFNOSUPPORT
	case *tcpip.ErrUnknownProtocolOption:
		return abi.ENOPROTOOPT
	case *tcpip.ErrBroadcastDisabled:
		return abi.EACCES
	case *tcpip.ErrNotPermitted:
		return abi.EPERM
	case *tcpip.ErrDestinationRequired:
		return abi.EDESTADDRREQ
	case *tcpip.ErrBadAddress, *tcpip.ErrBadBuffer:
		return abi.EFAULT
	case *tcpip.ErrNoBufferSpace:
		return abi.ENOBUFS
	case *tcpip.ErrNoPortAvailable:
		return abi.EAGAIN
	case *tcpip.ErrNotSupported, *tcpip.ErrQueueSizeNotSupported:
		return abi.EOPNOTSUPP
	case *tcpip.ErrUnknownProtocol:
		return abi.EPROTONOSUPPORT
	case *tcpip.ErrUnknownNICID, *tcpip.ErrUnknownDevice, *tcpip.ErrInvalidNICID:
		return abi.ENODEV
	}
	return abi.EINVAL
}
