package net

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// Netlink route sockets (net/netlink/af_netlink.c, net/core/rtnetlink.c):
// enough of NETLINK_ROUTE for getifaddrs(), if_nameindex(), the resolvers
// and ip addr, ip link and ip route: dumps of links, addresses and
// routes, a link by index or name, and a link's up flag.

// Netlink protocol and message constants (include/uapi/linux/netlink.h,
// rtnetlink.h, if_link.h, if_addr.h).
const (
	netlinkRoute = 0

	nlmsgNoop  = 1
	nlmsgError = 2
	nlmsgDone  = 3

	nlmFRequest = 0x1
	nlmFMulti   = 0x2
	nlmFAck     = 0x4
	nlmFDump    = 0x300

	rtmNewLink  = 16
	rtmGetLink  = 18
	rtmSetLink  = 19
	rtmNewAddr  = 20
	rtmGetAddr  = 22
	rtmNewRoute = 24
	rtmGetRoute = 26

	iflaAddress   = 1
	iflaBroadcast = 2
	iflaIfname    = 3
	iflaMTU       = 4
	iflaQdisc     = 6
	iflaTxqlen    = 13
	iflaOperstate = 16
	iflaLinkmode  = 17

	ifaAddress   = 1
	ifaLocal     = 2
	ifaLabel     = 3
	ifaBroadcast = 4
	ifaCacheinfo = 6
	ifaFlags     = 8

	rtaDst     = 1
	rtaOif     = 4
	rtaGateway = 5
	rtaPrefsrc = 7
	rtaTable   = 15

	ifaFPermanent = 0x80
	rtScopeHost   = 254
	rtScopeLink   = 253
	rtTableMain   = 254
	rtprotKernel  = 2
	rtprotBoot    = 3
	rtnUnicast    = 1
	ifOperUnknown = 0
	ifOperUp      = 6

	nlmsgHdrLen = 16
)

// netlinkSocket is an AF_NETLINK socket.
type netlinkSocket struct {
	stack *Stack
	typ   int
	q     vfs.Queue

	mu     sync.Mutex
	portid uint32
	groups uint32
	recvq  [][]byte // replies, one datagram each
	closed bool
}

func (s *Stack) newNetlink(typ, protocol int) (Socket, error) {
	if typ != abi.SOCK_RAW && typ != abi.SOCK_DGRAM {
		return nil, abi.ESOCKTNOSUPPORT
	}
	if protocol != netlinkRoute {
		// Linux answers so for a protocol whose module is not there.
		return nil, abi.EPROTONOSUPPORT
	}
	return &netlinkSocket{stack: s, typ: typ}, nil
}

func (n *netlinkSocket) Family() int   { return abi.AF_NETLINK }
func (n *netlinkSocket) Type() int     { return n.typ }
func (n *netlinkSocket) Protocol() int { return netlinkRoute }

// bindLocked gives the socket its port id: the process id, as Linux's
// first netlink socket of a process gets it (netlink_autobind), or the
// id asked for.
func (n *netlinkSocket) bindLocked(ctx Context, portid uint32) {
	if n.portid != 0 {
		return
	}
	if portid == 0 {
		portid = uint32(ctx.TGID())
	}
	n.portid = portid
}

// Bind implements Socket.
func (n *netlinkSocket) Bind(ctx Context, a abi.Sockaddr) error {
	if a.Family != abi.AF_NETLINK {
		return abi.EINVAL
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.portid != 0 && a.NlPid != 0 && a.NlPid != n.portid {
		return abi.EINVAL
	}
	n.bindLocked(ctx, a.NlPid)
	n.groups = a.NlGroups
	return nil
}

// Listen implements Socket.
func (n *netlinkSocket) Listen(Context, int) error { return abi.EOPNOTSUPP }

// Accept implements Socket.
func (n *netlinkSocket) Accept(Context, bool) (Socket, abi.Sockaddr, error) {
	return nil, abi.Sockaddr{}, abi.EOPNOTSUPP
}

// Connect implements Socket: only the kernel (port 0) can be a peer.
func (n *netlinkSocket) Connect(ctx Context, a abi.Sockaddr, nonblock bool) error {
	if a.Family != abi.AF_NETLINK {
		return abi.EINVAL
	}
	n.mu.Lock()
	n.bindLocked(ctx, 0)
	n.mu.Unlock()
	return nil
}

// Name implements Socket.
func (n *netlinkSocket) Name() abi.Sockaddr {
	n.mu.Lock()
	defer n.mu.Unlock()
	return abi.Sockaddr{Family: abi.AF_NETLINK, NlPid: n.portid, NlGroups: n.groups}
}

// Peer implements Socket: the kernel.
func (n *netlinkSocket) Peer() (abi.Sockaddr, error) {
	return abi.Sockaddr{Family: abi.AF_NETLINK}, nil
}

// Send implements Socket: each request in data is answered at once.
func (n *netlinkSocket) Send(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	if m.Addr != nil && (m.Addr.Family != abi.AF_NETLINK || m.Addr.NlPid != 0) {
		// Only the kernel answers; messages to other sockets are
		// not carried.
		if m.Addr.Family != abi.AF_NETLINK {
			return 0, abi.EINVAL
		}
		return len(data), nil
	}
	n.mu.Lock()
	n.bindLocked(ctx, 0)
	n.mu.Unlock()
	for b := data; len(b) >= nlmsgHdrLen; {
		l := int(binary.LittleEndian.Uint32(b))
		if l < nlmsgHdrLen || l > len(b) {
			break
		}
		n.handle(ctx, b[:l])
		b = b[min(nlAlign(l), len(b)):]
	}
	n.q.Notify(abi.POLLIN | abi.POLLRDNORM)
	return len(data), nil
}

// Recv implements Socket: one reply datagram.
func (n *netlinkSocket) Recv(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	nonblock = nonblock || flags&abi.MSG_DONTWAIT != 0
	got := 0
	err := wait(ctx, &n.q, abi.POLLIN, nonblock, time.Time{}, func() error {
		n.mu.Lock()
		defer n.mu.Unlock()
		if len(n.recvq) == 0 {
			return abi.EAGAIN
		}
		d := n.recvq[0]
		got = copy(data, d)
		if len(d) > len(data) {
			m.Flags |= abi.MSG_TRUNC
			if flags&abi.MSG_TRUNC != 0 {
				got = len(d)
			}
		}
		if flags&abi.MSG_PEEK == 0 {
			n.recvq = n.recvq[1:]
		}
		m.Addr = &abi.Sockaddr{Family: abi.AF_NETLINK}
		return nil
	})
	return got, err
}

// Shutdown implements Socket.
func (n *netlinkSocket) Shutdown(how int) error { return abi.EOPNOTSUPP }

// Release implements vfs.Releaser.
func (n *netlinkSocket) Release() {
	n.mu.Lock()
	n.closed, n.recvq = true, nil
	n.mu.Unlock()
}

// queueLen implements Socket: the next reply's length; a send is
// answered at once, so nothing is ever unsent.
func (n *netlinkSocket) queueLen(out bool) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if out || len(n.recvq) == 0 {
		return 0, nil
	}
	return len(n.recvq[0]), nil
}

// Readiness implements vfs.Poller.
func (n *netlinkSocket) Readiness(mask uint32) uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := uint32(abi.POLLOUT | abi.POLLWRNORM)
	if len(n.recvq) > 0 {
		r |= abi.POLLIN | abi.POLLRDNORM
	}
	return r & mask
}

// Queue implements vfs.Poller.
func (n *netlinkSocket) Queue() *vfs.Queue { return &n.q }

// Read implements vfs.FileOps.
func (n *netlinkSocket) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	return n.Recv(ctx.(Context), dst, &Message{}, 0, f.NonBlocking())
}

// Write implements vfs.FileOps.
func (n *netlinkSocket) Write(ctx vfs.Context, f *vfs.File, src []byte, _ int64) (int, error) {
	return n.Send(ctx.(Context), src, &Message{}, 0, f.NonBlocking())
}

// GetSockOpt implements Socket.
func (n *netlinkSocket) GetSockOpt(ctx Context, level, name int) ([]byte, error) {
	if level == abi.SOL_SOCKET {
		switch name {
		case abi.SO_TYPE:
			return intOpt(n.typ), nil
		case abi.SO_DOMAIN:
			return intOpt(abi.AF_NETLINK), nil
		case abi.SO_PROTOCOL:
			return intOpt(netlinkRoute), nil
		case abi.SO_SNDBUF, abi.SO_RCVBUF:
			return intOpt(defaultBuf), nil
		case abi.SO_ERROR:
			return intOpt(0), nil
		}
	}
	return nil, abi.ENOPROTOOPT
}

// SetSockOpt implements Socket: buffer sizes and the netlink options
// libraries set are accepted; paddock's replies fit either way.
func (n *netlinkSocket) SetSockOpt(ctx Context, level, name int, val []byte) error {
	if _, err := optInt(val); err != nil {
		return err
	}
	const solNetlink = 270
	switch {
	case level == abi.SOL_SOCKET && (name == abi.SO_SNDBUF || name == abi.SO_RCVBUF || name == abi.SO_SNDBUFFORCE ||
		name == abi.SO_RCVBUFFORCE || name == abi.SO_PASSCRED):
	case level == solNetlink:
	default:
		return abi.ENOPROTOOPT
	}
	return nil
}

// nlAlign rounds up to NLMSG_ALIGNTO (4).
func nlAlign(n int) int { return (n + 3) &^ 3 }

// nlMsg builds netlink messages.
type nlMsg struct {
	b []byte
}

// begin starts a message of type typ, answering request hdr.
func (w *nlMsg) begin(typ, flags uint16, seq, portid uint32) {
	w.b = make([]byte, nlmsgHdrLen, 256)
	binary.LittleEndian.PutUint16(w.b[4:], typ)
	binary.LittleEndian.PutUint16(w.b[6:], flags)
	binary.LittleEndian.PutUint32(w.b[8:], seq)
	binary.LittleEndian.PutUint32(w.b[12:], portid)
}

// put appends raw bytes, padded.
func (w *nlMsg) put(b []byte) {
	w.b = append(w.b, b...)
	w.b = append(w.b, make([]byte, nlAlign(len(b))-len(b))...)
}

// attr appends an rtattr.
func (w *nlMsg) attr(typ uint16, data []byte) {
	h := make([]byte, 4)
	binary.LittleEndian.PutUint16(h, uint16(4+len(data)))
	binary.LittleEndian.PutUint16(h[2:], typ)
	w.b = append(w.b, h...)
	w.put(data)
}

func (w *nlMsg) attrU32(typ uint16, v uint32) { w.attr(typ, binary.LittleEndian.AppendUint32(nil, v)) }

// end finishes the message and returns it.
func (w *nlMsg) end() []byte {
	binary.LittleEndian.PutUint32(w.b, uint32(len(w.b)))
	return w.b
}

// handle answers one request message.
func (n *netlinkSocket) handle(ctx Context, req []byte) {
	typ := binary.LittleEndian.Uint16(req[4:])
	flags := binary.LittleEndian.Uint16(req[6:])
	seq := binary.LittleEndian.Uint32(req[8:])
	n.mu.Lock()
	portid := n.portid
	n.mu.Unlock()
	payload := req[nlmsgHdrLen:]
	var replies [][]byte
	var err error
	dump := flags&nlmFDump == nlmFDump
	switch typ {
	case nlmsgNoop, nlmsgDone:
		return
	case rtmGetLink:
		replies, err = n.getLink(payload, dump, seq, portid)
	case rtmGetAddr:
		if !dump {
			err = abi.EOPNOTSUPP
			break
		}
		replies = n.addrs(payload, seq, portid)
	case rtmGetRoute:
		if !dump {
			err = abi.EOPNOTSUPP
			break
		}
		replies = n.routes(payload, seq, portid)
	case rtmNewLink, rtmSetLink:
		err = n.setLink(ctx, payload)
	default:
		err = abi.EOPNOTSUPP
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err != nil {
		n.recvq = append(n.recvq, nlError(req, err, seq, portid))
		return
	}
	if dump {
		// One datagram for the dump's messages, then NLMSG_DONE.
		var d []byte
		for _, r := range replies {
			d = append(d, r...)
		}
		if len(d) > 0 {
			n.recvq = append(n.recvq, d)
		}
		var w nlMsg
		w.begin(nlmsgDone, nlmFMulti, seq, portid)
		w.put(make([]byte, 4))
		n.recvq = append(n.recvq, w.end())
		return
	}
	n.recvq = append(n.recvq, replies...)
	if flags&nlmFAck != 0 {
		n.recvq = append(n.recvq, nlError(req, nil, seq, portid))
	}
}

// nlError is an NLMSG_ERROR reply: the errno (0 is an acknowledgement)
// and the request's header.
func nlError(req []byte, err error, seq, portid uint32) []byte {
	var w nlMsg
	w.begin(nlmsgError, 0, seq, portid)
	code := int32(0)
	if e, ok := err.(abi.Errno); ok {
		code = -int32(e)
	} else if err != nil {
		code = -int32(abi.EINVAL)
	}
	w.put(binary.LittleEndian.AppendUint32(nil, uint32(code)))
	w.put(req[:nlmsgHdrLen])
	return w.end()
}

// getLink answers RTM_GETLINK: every link for a dump, else the one the
// request's ifinfomsg index or IFLA_IFNAME names (ENODEV if none).
func (n *netlinkSocket) getLink(payload []byte, dump bool, seq, portid uint32) ([][]byte, error) {
	ifs := n.stack.Interfaces()
	if dump {
		var out [][]byte
		for _, in := range ifs {
			out = append(out, linkMsg(in, rtmNewLink, nlmFMulti, seq, portid))
		}
		return out, nil
	}
	var index int32
	var name string
	if len(payload) >= 16 {
		index = int32(binary.LittleEndian.Uint32(payload[4:]))
		for a := payload[16:]; len(a) >= 4; {
			l := int(binary.LittleEndian.Uint16(a))
			if l < 4 || l > len(a) {
				break
			}
			if binary.LittleEndian.Uint16(a[2:]) == iflaIfname {
				name = cstr(a[4:l])
			}
			a = a[min(nlAlign(l), len(a)):]
		}
	}
	in, ok := n.stack.Interface(index, name)
	if !ok {
		return nil, abi.ENODEV
	}
	return [][]byte{linkMsg(in, rtmNewLink, 0, seq, portid)}, nil
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// linkMsg is an RTM_NEWLINK message for an interface.
func linkMsg(in Interface, typ, flags uint16, seq, portid uint32) []byte {
	var w nlMsg
	w.begin(typ, flags, seq, portid)
	info := make([]byte, 16)
	binary.LittleEndian.PutUint16(info[2:], in.Type)
	binary.LittleEndian.PutUint32(info[4:], uint32(in.Index))
	binary.LittleEndian.PutUint32(info[8:], in.Flags)
	w.put(info)
	w.attr(iflaIfname, append([]byte(in.Name), 0))
	w.attrU32(iflaTxqlen, in.TxQLen)
	oper := uint8(ifOperUnknown)
	if in.Type != abi.ARPHRD_LOOPBACK && in.Flags&abi.IFF_UP != 0 {
		oper = ifOperUp
	}
	w.attr(iflaOperstate, []byte{oper})
	w.attr(iflaLinkmode, []byte{0})
	w.attrU32(iflaMTU, in.MTU)
	w.attr(iflaQdisc, []byte("noqueue\x00"))
	w.attr(iflaAddress, in.HWAddr[:])
	brd := [6]byte{}
	if in.Type != abi.ARPHRD_LOOPBACK {
		brd = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	w.attr(iflaBroadcast, brd[:])
	return w.end()
}

// addrs answers an RTM_GETADDR dump, of the family the request's
// ifaddrmsg asks for (AF_UNSPEC: both).
func (n *netlinkSocket) addrs(payload []byte, seq, portid uint32) [][]byte {
	family := uint8(abi.AF_UNSPEC)
	if len(payload) > 0 {
		family = payload[0]
	}
	var out [][]byte
	for _, in := range n.stack.Interfaces() {
		for _, p := range in.Addrs {
			fam := uint8(abi.AF_INET)
			if !p.Addr().Is4() {
				fam = abi.AF_INET6
			}
			if family != abi.AF_UNSPEC && family != fam {
				continue
			}
			out = append(out, addrMsg(in, p, fam, seq, portid))
		}
	}
	return out
}

// scopeOf is an address's scope: host for loopback, link for IPv6
// link-local, else universe.
func scopeOf(ip netip.Addr) uint8 {
	switch {
	case ip.IsLoopback():
		return rtScopeHost
	case ip.IsLinkLocalUnicast():
		return rtScopeLink
	}
	return 0
}

// addrMsg is an RTM_NEWADDR message for one address.
func addrMsg(in Interface, p netip.Prefix, fam uint8, seq, portid uint32) []byte {
	var w nlMsg
	w.begin(rtmNewAddr, nlmFMulti, seq, portid)
	ip := p.Addr()
	msg := []byte{fam, uint8(p.Bits()), ifaFPermanent, scopeOf(ip), 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(msg[4:], uint32(in.Index))
	w.put(msg)
	w.attr(ifaAddress, ip.AsSlice())
	if fam == abi.AF_INET {
		w.attr(ifaLocal, ip.AsSlice())
		if in.Flags&abi.IFF_BROADCAST != 0 && p.Bits() < 31 {
			w.attr(ifaBroadcast, broadcast(in, p).AsSlice())
		}
		w.attr(ifaLabel, append([]byte(in.Name), 0))
	}
	// ifa_cacheinfo: preferred and valid lifetimes forever, and the
	// creation and update stamps.
	ci := make([]byte, 16)
	binary.LittleEndian.PutUint32(ci, 0xffffffff)
	binary.LittleEndian.PutUint32(ci[4:], 0xffffffff)
	w.attr(ifaCacheinfo, ci)
	w.attrU32(ifaFlags, ifaFPermanent)
	return w.end()
}

// routes answers an RTM_GETROUTE dump of the main table.
func (n *netlinkSocket) routes(payload []byte, seq, portid uint32) [][]byte {
	family := uint8(abi.AF_UNSPEC)
	if len(payload) > 0 {
		family = payload[0]
	}
	var out [][]byte
	for _, r := range n.stack.Routes() {
		fam := uint8(abi.AF_INET)
		if !r.Dst.Addr().Is4() {
			fam = abi.AF_INET6
		}
		if family != abi.AF_UNSPEC && family != fam {
			continue
		}
		var w nlMsg
		w.begin(rtmNewRoute, nlmFMulti, seq, portid)
		scope, proto := uint8(0), uint8(rtprotBoot)
		if !r.Gateway.IsValid() {
			scope, proto = rtScopeLink, rtprotKernel
		}
		w.put([]byte{fam, uint8(r.Dst.Bits()), 0, 0, rtTableMain, proto, scope, rtnUnicast, 0, 0, 0, 0})
		w.attrU32(rtaTable, rtTableMain)
		if r.Dst.Bits() > 0 {
			w.attr(rtaDst, r.Dst.Addr().AsSlice())
		}
		if r.Src.IsValid() {
			w.attr(rtaPrefsrc, r.Src.AsSlice())
		}
		if r.Gateway.IsValid() {
			w.attr(rtaGateway, r.Gateway.AsSlice())
		}
		w.attrU32(rtaOif, uint32(r.Index))
		out = append(out, w.end())
	}
	return out
}

// setLink answers RTM_NEWLINK and RTM_SETLINK for an existing link: its
// up flag may change (with CAP_NET_ADMIN: root); nothing else may.
func (n *netlinkSocket) setLink(ctx Context, payload []byte) error {
	if len(payload) < 16 {
		return abi.EINVAL
	}
	if !ctx.Creds().Root() {
		return abi.EPERM
	}
	index := int32(binary.LittleEndian.Uint32(payload[4:]))
	flags := binary.LittleEndian.Uint32(payload[8:])
	change := binary.LittleEndian.Uint32(payload[12:])
	in, ok := n.stack.Interface(index, "")
	if !ok {
		return abi.ENODEV
	}
	if change&abi.IFF_UP != 0 || change == 0 {
		up := flags&abi.IFF_UP != 0
		if up != (in.Flags&abi.IFF_UP != 0) {
			return n.stack.SetUp(in.Index, up)
		}
	}
	return nil
}
