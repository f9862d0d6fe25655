package net

import (
	"net/netip"
	"sort"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	"paddock/abi"
)

// Entry is one socket as /proc/net lists it.
type Entry struct {
	Family, Type, Protocol int
	// Ino and UID are the socket file's; 0 for a connection no file
	// holds (one waiting to be accepted, or closing).
	Ino uint64
	UID uint32
	// State is an IP socket's TCP_* state (TCP_ESTABLISHED or
	// TCP_CLOSE for a datagram socket) or a Unix socket's SS_* state.
	State int
	// Local and Remote are its addresses (a netlink socket's port id
	// and groups in Local).
	Local, Remote  abi.Sockaddr
	RxQueue        int // bytes to read; a listener's pending connections
	Listening      bool
	RTO            time.Duration // TCP's retransmission timeout
	Cwnd, Ssthresh uint32        // TCP's congestion window and threshold
}

// Sockets lists the network's sockets: those of the open socket files
// by inode number, and the TCP connections netstack holds that no file
// does, the ones a listener has not yet handed out and those closing
// (in TIME_WAIT, FIN_WAIT2 ...).
func (s *Stack) Sockets() []Entry {
	s.mu.Lock()
	files := make(map[*sockInode]Socket, len(s.sockets))
	for in, sock := range s.sockets {
		files[in] = sock
	}
	s.mu.Unlock()
	var out []Entry
	owned := map[tcpip.Endpoint]bool{}
	for in, sock := range files {
		e := Entry{Family: sock.Family(), Type: sock.Type(), Protocol: sock.Protocol(), Ino: in.attr.Ino, UID: in.attr.UID}
		switch sock := sock.(type) {
		case *unixSocket:
			sock.entry(&e)
		case *inetSocket:
			owned[sock.ep] = true
			if !inetEntry(&e, sock.ep) {
				continue // not bound: Linux lists it nowhere
			}
		case *netlinkSocket:
			e.Local = sock.Name()
		}
		out = append(out, e)
	}
	for _, te := range s.ns.RegisteredEndpoints() {
		ep, ok := te.(tcpip.Endpoint)
		if !ok || owned[ep] {
			continue
		}
		owned[ep] = true
		info, ok := ep.Info().(*stack.TransportEndpointInfo)
		if !ok || info.TransProto != tcp.ProtocolNumber {
			continue
		}
		e := Entry{Family: abi.AF_INET, Type: abi.SOCK_STREAM, Protocol: abi.IPPROTO_TCP}
		if info.ID.LocalAddress.Len() == 16 {
			e.Family = abi.AF_INET6
		}
		inetEntry(&e, ep)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ino < out[j].Ino })
	return out
}

// entry fills a Unix socket's state (unix_seq_show): SS_CONNECTED for a
// connected one, else SS_UNCONNECTED.
func (u *unixSocket) entry(e *Entry) {
	u.stack.unixMu.Lock()
	defer u.stack.unixMu.Unlock()
	e.Local = u.sockaddr()
	e.Listening = u.listening
	e.State = abi.SS_UNCONNECTED
	if u.peer != nil && !u.closed {
		e.State = abi.SS_CONNECTED
	}
}

// inetEntry fills an IP socket's addresses, state and queue; false for a
// socket not bound to an address.
func inetEntry(e *Entry, ep tcpip.Endpoint) bool {
	info, ok := ep.Info().(*stack.TransportEndpointInfo)
	if !ok {
		return false
	}
	id := info.ID
	if e.Type == abi.SOCK_STREAM {
		st := tcp.EndpointState(ep.State())
		switch st {
		case tcp.StateInitial, tcp.StateBound, tcp.StateConnecting, tcp.StateError:
			e.State = abi.TCP_CLOSE
		default:
			e.State = int(st) // netstack numbers TCP states as Linux does
		}
		if st == tcp.StateInitial || st == tcp.StateError {
			return false
		}
		e.Listening = st == tcp.StateListen
		var ti tcpip.TCPInfoOption
		if ep.GetSockOpt(&ti) == nil {
			e.RTO, e.Cwnd, e.Ssthresh = ti.RTO, ti.SndCwnd, ti.SndSsthresh
		}
	} else {
		st := transport.DatagramEndpointState(ep.State())
		if st == transport.DatagramEndpointStateInitial {
			return false
		}
		e.State = abi.TCP_CLOSE
		if st == transport.DatagramEndpointStateConnected {
			e.State = abi.TCP_ESTABLISHED
		}
	}
	if e.Listening {
		e.RxQueue = 0
	} else if n, err := ep.GetSockOptInt(tcpip.ReceiveQueueSizeOption); err == nil {
		e.RxQueue = n
	}
	e.Local = inetAddr(e.Family, id.LocalAddress, id.LocalPort)
	e.Remote = inetAddr(e.Family, id.RemoteAddress, id.RemotePort)
	return true
}

// inetAddr is an endpoint's address in a family: an IPv4 address on an
// IPv6 socket as ::ffff:a.b.c.d, none as the unspecified address.
func inetAddr(family int, a tcpip.Address, port uint16) abi.Sockaddr {
	ip, _ := netip.AddrFromSlice(a.AsSlice())
	switch {
	case family == abi.AF_INET6 && ip.IsValid():
		ip = netip.AddrFrom16(ip.As16())
	case family == abi.AF_INET6:
		ip = netip.IPv6Unspecified()
	case ip.IsValid():
		ip = ip.Unmap()
	default:
		ip = netip.IPv4Unspecified()
	}
	return abi.Sockaddr{Family: uint16(family), IP: ip, Port: port}
}

// PortRange is the range of ephemeral ports (ip_local_port_range).
func (s *Stack) PortRange() (lo, hi uint16) { return s.ns.PortRange() }

// SetPortRange changes the range of ephemeral ports.
func (s *Stack) SetPortRange(lo, hi uint16) error { return errno(s.ns.SetPortRange(lo, hi)) }

// Stats are the network's counters (/proc/net/snmp and netstat).
func (s *Stack) Stats() tcpip.Stats { return s.ns.Stats() }

// TCPBuffers are TCP's buffer sizes, minimum, default and maximum, for
// receiving and for sending (tcp_rmem, tcp_wmem).
func (s *Stack) TCPBuffers() (rcv, snd [3]int) {
	var r tcpip.TCPReceiveBufferSizeRangeOption
	var w tcpip.TCPSendBufferSizeRangeOption
	s.ns.TransportProtocolOption(tcp.ProtocolNumber, &r)
	s.ns.TransportProtocolOption(tcp.ProtocolNumber, &w)
	return [3]int{r.Min, r.Default, r.Max}, [3]int{w.Min, w.Default, w.Max}
}

// Sysctls: a Unix socket's buffer size (SO_SNDBUF's and SO_RCVBUF's
// default, net.core.wmem_default), the most SO_SNDBUF and SO_RCVBUF set
// (wmem_max), and the datagrams a Unix socket's queue holds
// (net.unix.max_dgram_qlen).
const (
	DefaultBuffer = defaultBuf
	MaxBuffer     = maxBuf
	MaxDgramQueue = maxDgramQueue
)
