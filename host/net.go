package host

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"
)

// Host sockets: the only doors from a guest's network to the host's, the
// NAT's outbound connections and the -p forwards' listeners. Go's net
// package serves every host OS.

// dialTimeout bounds an outbound connection the NAT opens for a guest.
const dialTimeout = 30 * time.Second

// DialTCP opens a TCP connection to addr on the guest's behalf.
func DialTCP(ctx context.Context, addr netip.AddrPort) (*net.TCPConn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// DialUDP opens a UDP socket connected to addr on the guest's behalf.
func DialUDP(addr netip.AddrPort) (*net.UDPConn, error) {
	return net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
}

// ListenTCP listens on addr for a -p forward.
func ListenTCP(addr netip.AddrPort) (*net.TCPListener, error) {
	return net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
}

// ListenUDP takes addr's datagrams for a -p forward.
func ListenUDP(addr netip.AddrPort) (*net.UDPConn, error) {
	return net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
}

// Nameserver is the host's first DNS server (its resolv.conf's), which
// the NAT's DNS address forwards to; false if the host names none.
func Nameserver() (netip.AddrPort, bool) {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return netip.AddrPort{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			if a, err := netip.ParseAddr(fields[1]); err == nil {
				return netip.AddrPortFrom(a.Unmap(), 53), true
			}
		}
	}
	return netip.AddrPort{}, false
}
