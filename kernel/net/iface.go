package net

import (
	"net/netip"
	"sort"

	"gvisor.dev/gvisor/pkg/tcpip"

	"paddock/abi"
)

// Interface is a network interface as the guest sees it: what netlink,
// the interface ioctls and /proc/net report.
type Interface struct {
	Index  int32
	Name   string
	Flags  uint32 // IFF_*
	MTU    uint32
	TxQLen uint32 // the transmit queue length ip link shows as qlen
	Type   uint16 // ARPHRD_*
	HWAddr [6]byte
	Addrs  []netip.Prefix
	// Traffic counters.
	RxBytes, RxPackets, TxBytes, TxPackets uint64
}

// Interfaces lists the network's interfaces by index.
func (s *Stack) Interfaces() []Interface {
	var out []Interface
	for id, info := range s.ns.NICInfo() {
		in := Interface{Index: int32(id), Name: info.Name, MTU: info.MTU, TxQLen: txQueueLen, Type: abi.ARPHRD_ETHER}
		copy(in.HWAddr[:], info.LinkAddress)
		if info.Flags.Up {
			in.Flags |= abi.IFF_UP
		}
		if info.Flags.Running {
			in.Flags |= abi.IFF_RUNNING | abi.IFF_LOWER_UP
		}
		if info.Flags.Loopback {
			in.Flags |= abi.IFF_LOOPBACK
			in.Type = abi.ARPHRD_LOOPBACK
		} else {
			in.Flags |= abi.IFF_BROADCAST | abi.IFF_MULTICAST
		}
		for _, pa := range info.ProtocolAddresses {
			ip, ok := netip.AddrFromSlice(pa.AddressWithPrefix.Address.AsSlice())
			if ok {
				in.Addrs = append(in.Addrs, netip.PrefixFrom(ip, pa.AddressWithPrefix.PrefixLen))
			}
		}
		// IPv4 addresses first, as Linux lists them.
		sort.SliceStable(in.Addrs, func(i, j int) bool { return in.Addrs[i].Addr().Is4() && !in.Addrs[j].Addr().Is4() })
		in.RxBytes, in.RxPackets = info.Stats.Rx.Bytes.Value(), info.Stats.Rx.Packets.Value()
		in.TxBytes, in.TxPackets = info.Stats.Tx.Bytes.Value(), info.Stats.Tx.Packets.Value()
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// txQueueLen is every interface's transmit queue length: Linux's default
// for loopback and Ethernet devices alike (DEFAULT_TX_QUEUE_LEN).
const txQueueLen = 1000

// Interface returns the interface with the given index or name.
func (s *Stack) Interface(index int32, name string) (Interface, bool) {
	for _, in := range s.Interfaces() {
		if index != 0 && in.Index == index || name != "" && in.Name == name {
			return in, true
		}
	}
	return Interface{}, false
}

// Route is one entry of the routing table: to Dst through interface
// Index, by Gateway if it is set.
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr
	Index   int32
	Src     netip.Addr // the interface's address on Dst, for a link route
}

// Routes lists the routes of the main table in Linux's order (by
// destination): the default routes and the subnets of the interfaces
// other than loopback (whose routes Linux keeps in its local table,
// which ip route does not show).
func (s *Stack) Routes() []Route {
	var out []Route
	ifaces := s.Interfaces()
	for _, r := range s.ns.GetRouteTable() {
		if r.NIC == loopbackNIC {
			continue
		}
		dst := r.Destination.ID()
		ip, ok := netip.AddrFromSlice(dst.AsSlice())
		if !ok {
			continue
		}
		rt := Route{Dst: netip.PrefixFrom(ip, r.Destination.Prefix()), Index: int32(r.NIC)}
		if r.Gateway != (tcpip.Address{}) {
			rt.Gateway, _ = netip.AddrFromSlice(r.Gateway.AsSlice())
		}
		for _, in := range ifaces {
			for _, p := range in.Addrs {
				if in.Index == rt.Index && !rt.Gateway.IsValid() && rt.Dst.Bits() > 0 && rt.Dst.Contains(p.Addr()) {
					rt.Src = p.Addr()
				}
			}
		}
		out = append(out, rt)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := out[i].Dst.Addr().Compare(out[j].Dst.Addr()); c != 0 {
			return c < 0
		}
		return out[i].Dst.Bits() < out[j].Dst.Bits()
	})
	return out
}

// SetUp brings an interface up or down (SIOCSIFFLAGS, RTM_NEWLINK).
func (s *Stack) SetUp(index int32, up bool) error {
	if up {
		return errno(s.ns.EnableNIC(tcpip.NICID(index)))
	}
	return errno(s.ns.DisableNIC(tcpip.NICID(index)))
}

// ipv4 returns the interface's first IPv4 address.
func (in Interface) ipv4() (netip.Prefix, bool) {
	for _, p := range in.Addrs {
		if p.Addr().Is4() {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// netmask is the IPv4 mask of a prefix length.
func netmask(bits int) netip.Addr {
	m := ^uint32(0) << (32 - bits) // a shift by 32 leaves 0
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}

// broadcast is an IPv4 address's broadcast address: the subnet's last
// address on an interface that broadcasts, none (0.0.0.0) on loopback,
// as ip address add sets them with brd +.
func broadcast(in Interface, p netip.Prefix) netip.Addr {
	if in.Flags&abi.IFF_BROADCAST == 0 {
		return netip.IPv4Unspecified()
	}
	a := p.Addr().As4()
	m := netmask(p.Bits()).As4()
	for i := range a {
		a[i] |= ^m[i]
	}
	return netip.AddrFrom4(a)
}
