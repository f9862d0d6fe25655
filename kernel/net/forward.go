package net

import (
	"fmt"
	stdnet "net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"

	"paddock/host"
)

// Forward is a -p port forward: connections (or datagrams) to a host
// address go to a port of the guest's eth0 address.
type Forward struct {
	Host  netip.AddrPort
	Guest uint16
	UDP   bool
}

func (f Forward) String() string {
	proto := "tcp"
	if f.UDP {
		proto = "udp"
	}
	return fmt.Sprintf("%s:%d/%s", f.Host, f.Guest, proto)
}

// ParseForward parses docker's -p syntax, [HOSTIP:]HOSTPORT:GUESTPORT with
// an optional /tcp or /udp; without HOSTIP the forward listens on every
// host address, as docker's does.
func ParseForward(s string) (Forward, error) {
	var f Forward
	spec, proto, _ := strings.Cut(s, "/")
	switch proto {
	case "", "tcp":
	case "udp":
		f.UDP = true
	default:
		return f, fmt.Errorf("protocol %q is not tcp or udp", proto)
	}
	hostIP := netip.IPv4Unspecified()
	i := strings.LastIndex(spec, ":")
	if i < 0 {
		return f, fmt.Errorf("want [HOSTIP:]HOSTPORT:GUESTPORT")
	}
	guest, err := port(spec[i+1:])
	if err != nil {
		return f, err
	}
	rest := spec[:i]
	if j := strings.LastIndex(rest, ":"); j >= 0 {
		ip, err := netip.ParseAddr(strings.Trim(rest[:j], "[]"))
		if err != nil {
			return f, fmt.Errorf("host address %q: %v", rest[:j], err)
		}
		hostIP, rest = ip, rest[j+1:]
	}
	hostPort, err := port(rest)
	if err != nil {
		return f, err
	}
	f.Host, f.Guest = netip.AddrPortFrom(hostIP, hostPort), guest
	return f, nil
}

func port(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return uint16(p), nil
}

// AddForward opens a -p forward's host socket, now, and serves it until
// Close: each host connection becomes one from the gateway to the guest's
// port, each host client's datagrams a flow to it. It needs the NAT.
func (s *Stack) AddForward(f Forward) error {
	s.mu.Lock()
	r := s.router
	s.mu.Unlock()
	if r == nil {
		return fmt.Errorf("-p needs --net nat")
	}
	to := tcpip.FullAddress{NIC: routerNIC, Addr: tcpip.AddrFrom4(GuestAddr.As4()), Port: f.Guest}
	if f.UDP {
		pc, err := host.ListenUDP(f.Host)
		if err != nil {
			return err
		}
		r.keep(pc)
		go r.serveUDP(pc, to)
		return nil
	}
	l, err := host.ListenTCP(f.Host)
	if err != nil {
		return err
	}
	r.keep(l)
	go r.serveTCP(l, to)
	return nil
}

// keep remembers what Close must close.
func (r *router) keep(c interface{ Close() error }) {
	r.mu.Lock()
	r.closers = append(r.closers, c)
	r.mu.Unlock()
}

func (r *router) serveTCP(l *stdnet.TCPListener, to tcpip.FullAddress) {
	for {
		hc, err := l.AcceptTCP()
		if err != nil {
			return // closed
		}
		if !r.take() {
			hc.Close()
			continue
		}
		go func() {
			defer r.release()
			gc, err := gonet.DialContextTCP(r.ctx, r.ns, to, ipv4.ProtocolNumber)
			if err != nil {
				// Nothing listens in the guest: the host client
				// sees its connection reset.
				hc.SetLinger(0)
				hc.Close()
				return
			}
			relay(gc, hc)
		}()
	}
}

// serveUDP relays a -p forward's datagrams: each host client gets a
// socket of the router's, connected to the guest's port, whose replies
// go back to that client.
func (r *router) serveUDP(pc *stdnet.UDPConn, to tcpip.FullAddress) {
	var mu sync.Mutex
	flows := map[netip.AddrPort]*gonet.UDPConn{}
	buf := make([]byte, 1<<16)
	for {
		n, from, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			return // closed
		}
		mu.Lock()
		gc := flows[from]
		if gc == nil && r.take() {
			gc, err = gonet.DialUDP(r.ns, nil, &to, ipv4.ProtocolNumber)
			if err != nil {
				r.release()
				gc = nil
			} else {
				flows[from] = gc
				go func() {
					defer r.release()
					reply := make([]byte, 1<<16)
					for {
						gc.SetReadDeadline(time.Now().Add(udpIdle))
						k, err := gc.Read(reply)
						if err != nil {
							break
						}
						pc.WriteToUDPAddrPort(reply[:k], from)
					}
					mu.Lock()
					delete(flows, from)
					mu.Unlock()
					gc.Close()
				}()
			}
		}
		mu.Unlock()
		if gc != nil {
			gc.Write(buf[:n])
		}
	}
}
