package net

import (
	"context"
	"errors"
	"io"
	stdnet "net"
	"net/netip"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/pipe"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"

	"paddock/host"
)

// The network of --net nat follows qemu's user-mode convention: the guest
// is 10.0.2.15/24 on eth0, the gateway 10.0.2.2 stands for the host's own
// loopback, and 10.0.2.3 is a DNS server that forwards to the host's.
var (
	GuestAddr   = netip.MustParseAddr("10.0.2.15")
	GatewayAddr = netip.MustParseAddr("10.0.2.2")
	DNSAddr     = netip.MustParseAddr("10.0.2.3")
	natSubnet   = netip.MustParsePrefix("10.0.2.0/24")
)

const (
	ethNIC    tcpip.NICID = 2 // the guest's eth0
	routerNIC tcpip.NICID = 1 // the router's side of the wire
	natMTU                = 1500
	// natConns bounds the connections and datagram flows the NAT and
	// the forwards keep open at once, so that a guest that floods
	// connections cannot exhaust the host's descriptors.
	natConns = 1024
	// udpIdle is how long a datagram flow lives without traffic.
	udpIdle = time.Minute
)

// guestMAC and routerMAC are the two ends' link addresses (qemu's).
var (
	guestMAC  = tcpip.LinkAddress("\x52\x54\x00\x12\x34\x56")
	routerMAC = tcpip.LinkAddress("\x52\x55\x0a\x00\x02\x02")
)

// router is the host's side of --net nat: a second netstack wired to the
// guest's eth0 that takes every connection and datagram the guest sends
// off its subnet and opens a host socket for it, and that carries the
// -p forwards into the guest.
type router struct {
	ns     *stack.Stack
	dns    netip.AddrPort
	hasDNS bool
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{} // one per open flow, natConns in all

	mu      sync.Mutex
	closers []io.Closer
}

// EnableNAT gives the guest eth0 and the router behind it, the default
// route through 10.0.2.2.
func (s *Stack) EnableNAT() error {
	guestEP, routerEP := pipe.New(guestMAC, routerMAC, natMTU)
	if err := s.ns.CreateNICWithOptions(ethNIC, guestEP, stack.NICOptions{Name: "eth0"}); err != nil {
		return errors.New(err.String())
	}
	addr := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{
		Address: tcpip.AddrFrom4(GuestAddr.As4()), PrefixLen: natSubnet.Bits()}}
	if err := s.ns.AddProtocolAddress(ethNIC, addr, stack.AddressProperties{}); err != nil {
		return errors.New(err.String())
	}
	subnet := tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4(natSubnet.Addr().As4()), PrefixLen: natSubnet.Bits()}.Subnet()
	s.ns.SetRouteTable(append(loopbackRoutes(), tcpip.Route{Destination: subnet, NIC: ethNIC},
		tcpip.Route{Destination: header.IPv4EmptySubnet, Gateway: tcpip.AddrFrom4(GatewayAddr.As4()), NIC: ethNIC}))

	r := &router{slots: make(chan struct{}, natConns)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.dns, r.hasDNS = host.Nameserver()
	r.ns = stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
	})
	if err := r.ns.CreateNIC(routerNIC, routerEP); err != nil {
		return errors.New(err.String())
	}
	for _, a := range []netip.Addr{GatewayAddr, DNSAddr} {
		pa := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{
			Address: tcpip.AddrFrom4(a.As4()), PrefixLen: natSubnet.Bits()}}
		if err := r.ns.AddProtocolAddress(routerNIC, pa, stack.AddressProperties{}); err != nil {
			return errors.New(err.String())
		}
	}
	// The router answers for every address the guest sends to.
	r.ns.SetPromiscuousMode(routerNIC, true)
	r.ns.SetSpoofing(routerNIC, true)
	r.ns.SetRouteTable([]tcpip.Route{{Destination: header.IPv4EmptySubnet, NIC: routerNIC}})
	r.ns.SetTransportProtocolHandler(tcp.ProtocolNumber, tcp.NewForwarder(r.ns, 0, natConns, r.forwardTCP).HandlePacket)
	r.ns.SetTransportProtocolHandler(udp.ProtocolNumber, udp.NewForwarder(r.ns, r.forwardUDP).HandlePacket)
	s.mu.Lock()
	s.router = r
	s.mu.Unlock()
	return nil
}

// loopbackRoutes are the routes every network has: the loopback
// addresses.
func loopbackRoutes() []tcpip.Route {
	lo4 := tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4([4]byte{127, 0, 0, 0}), PrefixLen: 8}.Subnet()
	lo6 := tcpip.AddressWithPrefix{Address: tcpip.AddrFrom16([16]byte{15: 1}), PrefixLen: 128}.Subnet()
	return []tcpip.Route{{Destination: lo4, NIC: loopbackNIC}, {Destination: lo6, NIC: loopbackNIC}}
}

// Close ends the NAT and the forwards: their listeners, flows and the
// router.
func (s *Stack) Close() {
	s.mu.Lock()
	r := s.router
	s.mu.Unlock()
	if r == nil {
		return
	}
	r.cancel()
	r.mu.Lock()
	for _, c := range r.closers {
		c.Close()
	}
	r.closers = nil
	r.mu.Unlock()
	r.ns.Close()
}

// target is the host address a guest's connection to dst goes to: the
// host's loopback for the gateway, the host's DNS server for the DNS
// address, dst itself off the subnet; false for the subnet's other
// addresses.
func (r *router) target(dst tcpip.Address, port uint16) (netip.AddrPort, bool) {
	ip, _ := netip.AddrFromSlice(dst.AsSlice())
	switch {
	case ip == GatewayAddr:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port), true
	case ip == DNSAddr && port == 53 && r.hasDNS:
		return r.dns, true
	case natSubnet.Contains(ip) || ip.IsLoopback() || ip.IsUnspecified() || ip.IsMulticast():
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip, port), true
}

// take reserves a flow's slot; false when natConns are open.
func (r *router) take() bool {
	select {
	case r.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (r *router) release() { <-r.slots }

// forwardTCP connects a guest's outbound connection to its target on the
// host, or resets it when the host refuses.
func (r *router) forwardTCP(req *tcp.ForwarderRequest) {
	id := req.ID()
	to, ok := r.target(id.LocalAddress, id.LocalPort)
	if !ok || !r.take() {
		req.Complete(true)
		return
	}
	defer r.release()
	hc, err := host.DialTCP(r.ctx, to)
	if err != nil {
		req.Complete(true)
		return
	}
	var wq waiter.Queue
	ep, terr := req.CreateEndpoint(&wq)
	if terr != nil {
		req.Complete(true)
		hc.Close()
		return
	}
	req.Complete(false)
	relay(gonet.NewTCPConn(&wq, ep), hc)
}

// forwardUDP starts a flow for a guest's datagrams to a target on the
// host: a host socket connected there, both ways until idle.
func (r *router) forwardUDP(req *udp.ForwarderRequest) bool {
	id := req.ID()
	to, ok := r.target(id.LocalAddress, id.LocalPort)
	if !ok || !r.take() {
		return false
	}
	var wq waiter.Queue
	ep, terr := req.CreateEndpoint(&wq)
	if terr != nil {
		r.release()
		return false
	}
	gc := gonet.NewUDPConn(&wq, ep)
	hc, err := host.DialUDP(to)
	if err != nil {
		gc.Close()
		r.release()
		return false
	}
	go func() {
		defer r.release()
		pump(gc, hc)
	}()
	return true
}

// relay copies a connection's two directions until both end, passing
// each end of stream on as a half close.
func relay(a, b halfCloser) {
	var wg sync.WaitGroup
	wg.Add(2)
	copyHalf := func(dst, src halfCloser) {
		defer wg.Done()
		io.Copy(dst, src)
		dst.CloseWrite()
	}
	go copyHalf(a, b)
	go copyHalf(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// halfCloser is a connection that can end one direction.
type halfCloser interface {
	io.ReadWriteCloser
	CloseWrite() error
}

// pump carries datagrams between two connected sockets until neither
// has carried one for udpIdle.
func pump(a, b stdnet.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	one := func(dst, src stdnet.Conn) {
		defer wg.Done()
		buf := make([]byte, 1<<16)
		for {
			src.SetReadDeadline(time.Now().Add(udpIdle))
			n, err := src.Read(buf)
			if err != nil {
				// Either side idle or gone ends the flow.
				a.Close()
				b.Close()
				return
			}
			dst.Write(buf[:n])
		}
	}
	go one(a, b)
	go one(b, a)
	wg.Wait()
}
