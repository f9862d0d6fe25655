package procfs

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"paddock/abi"
	"paddock/kernel/net"
	"paddock/kernel/vfs"
)

// netDir is /proc/PID/net (and /proc/net, its link through self): the
// socket tables, interfaces, routes and counters of the network, which
// every process of a paddock instance shares, in Linux's formats.
func (fs *FS) netDir(path string, uid, gid uint32) vfs.Inode {
	n := fs.k.Net()
	f := func(name string, gen func(*net.Stack) string) entry {
		return entry{name, abi.DT_REG, func(path string) vfs.Inode {
			return fs.file(path, 0o444, uid, gid, text(func() string { return gen(n) }))
		}}
	}
	return fs.dir(path, uid, gid, []entry{
		f("dev", netDev),
		f("if_inet6", ifInet6),
		f("route", route),
		f("tcp", func(n *net.Stack) string { return tcpTable(n, abi.AF_INET) }),
		f("tcp6", func(n *net.Stack) string { return tcpTable(n, abi.AF_INET6) }),
		f("udp", func(n *net.Stack) string { return dgramTable(n, abi.AF_INET, abi.SOCK_DGRAM, abi.IPPROTO_UDP) }),
		f("udp6", func(n *net.Stack) string { return dgramTable(n, abi.AF_INET6, abi.SOCK_DGRAM, abi.IPPROTO_UDP) }),
		f("icmp", func(n *net.Stack) string { return dgramTable(n, abi.AF_INET, abi.SOCK_DGRAM, abi.IPPROTO_ICMP) }),
		f("raw", func(n *net.Stack) string { return dgramTable(n, abi.AF_INET, abi.SOCK_RAW, -1) }),
		f("raw6", func(n *net.Stack) string { return dgramTable(n, abi.AF_INET6, abi.SOCK_RAW, -1) }),
		f("unix", unixTable),
		f("netlink", netlinkTable),
		f("sockstat", func(n *net.Stack) string { return sockstat(n, false) }),
		f("sockstat6", func(n *net.Stack) string { return sockstat(n, true) }),
		f("snmp", snmp),
		f("netstat", netstat),
	})
}

// sockPointer stands for the kernel address each socket row shows, which
// Linux hides (%pK) from whoever lacks CAP_SYSLOG.
const sockPointer = "0000000000000000"

// hexAddr is an address as /proc/net shows it: each 32-bit word of the
// network-order address printed as a host-order (little-endian) number.
func hexAddr(a netip.Addr) string {
	var b []byte
	if a.Is4() {
		v := a.As4()
		b = v[:]
	} else {
		v := a.As16()
		b = v[:]
	}
	var s strings.Builder
	for i := 0; i < len(b); i += 4 {
		fmt.Fprintf(&s, "%02X%02X%02X%02X", b[i+3], b[i+2], b[i+1], b[i])
	}
	return s.String()
}

// tcpTable is /proc/net/tcp or tcp6 (tcp4_seq_show, tcp6_seq_show):
// listeners first, as Linux walks its listening hash before the
// established one. IPv4's lines are padded to 149 columns.
func tcpTable(n *net.Stack, family int) string {
	var b strings.Builder
	v4 := family == abi.AF_INET
	if v4 {
		fmt.Fprintf(&b, "%-149s\n", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")
	} else {
		b.WriteString("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
	}
	var rows []net.Entry
	for _, listening := range []bool{true, false} {
		for _, e := range n.Sockets() {
			if e.Family == family && e.Type == abi.SOCK_STREAM && e.Listening == listening {
				rows = append(rows, e)
			}
		}
	}
	for i, e := range rows {
		var line string
		head := fmt.Sprintf("%4d: %s:%04X %s:%04X %02X %08X:%08X", i, hexAddr(e.Local.IP), e.Local.Port,
			hexAddr(e.Remote.IP), e.Remote.Port, e.State, 0, e.RxQueue)
		if e.State == abi.TCP_TIME_WAIT {
			// get_timewait4_sock: what is left of a closed connection.
			line = fmt.Sprintf("%s 03:%08X %08X %5d %8d %d %d %s", head, 0, 0, 0, 0, 0, 3, sockPointer)
		} else {
			// rto, ato, quick and pingpong, cwnd, and ssthresh (-1
			// while in the initial slow start), or for a listener the
			// TCP_FASTOPEN queue (0).
			ato, ssthresh, refs := 4, -1, 2
			if e.Listening {
				ato, ssthresh, refs = 0, 0, 1
			} else if e.Ssthresh < 0x7fffffff {
				ssthresh = int(e.Ssthresh)
			}
			line = fmt.Sprintf("%s %02X:%08X %08X %5d %8d %d %d %s %d %d %d %d %d", head, 0, 0, 0, e.UID, 0, e.Ino, refs,
				sockPointer, ticks(e.RTO), ato, 0, e.Cwnd, ssthresh)
		}
		if v4 {
			fmt.Fprintf(&b, "%-149s\n", line)
		} else {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// dgramTable is /proc/net/udp, udp6, icmp (the ping sockets), raw or raw6
// (udp4_format_sock, ip6_dgram_sock_seq_show, ping_v4_format_sock,
// raw_sock_seq_show), the sockets of a type and protocol (-1: any); a raw
// socket's port is its protocol. Linux's sl is the socket's hash bucket;
// paddock numbers the rows. The queues are bytes, where Linux counts the
// memory the buffers take.
func dgramTable(n *net.Stack, family, typ, protocol int) string {
	var b strings.Builder
	const cols = "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"
	pad := family == abi.AF_INET && typ != abi.SOCK_RAW
	switch {
	case pad:
		fmt.Fprintf(&b, "%-127s\n", "   sl  local_address rem_address   "+cols)
	case family == abi.AF_INET:
		b.WriteString("  sl  local_address rem_address   " + cols + "\n")
	default:
		b.WriteString("  sl  local_address                         remote_address                        " + cols + "\n")
	}
	i := 0
	for _, e := range n.Sockets() {
		if e.Family != family || e.Type != typ || protocol >= 0 && e.Protocol != protocol {
			continue
		}
		if typ == abi.SOCK_RAW {
			e.Local.Port = uint16(e.Protocol)
		}
		line := fmt.Sprintf("%5d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d", i,
			hexAddr(e.Local.IP), e.Local.Port, hexAddr(e.Remote.IP), e.Remote.Port, e.State, 0, e.RxQueue, 0, 0, 0,
			e.UID, 0, e.Ino, 2, sockPointer, 0)
		if pad {
			fmt.Fprintf(&b, "%-127s\n", line)
		} else {
			b.WriteString(line + "\n")
		}
		i++
	}
	return b.String()
}

// unixTable is /proc/net/unix (unix_seq_show): a listener flagged
// __SO_ACCEPTCON, the type, SS_* state and inode, and the name, an
// abstract one led by @ with its NULs shown as @.
func unixTable(n *net.Stack) string {
	var b strings.Builder
	b.WriteString("Num       RefCount Protocol Flags    Type St Inode Path\n")
	for _, e := range n.Sockets() {
		if e.Family != abi.AF_UNIX {
			continue
		}
		flags, refs := 0, 2
		if e.Listening {
			flags = 0x10000 // __SO_ACCEPTCON
		}
		if e.State == abi.SS_CONNECTED {
			refs = 3 // the peer holds one
		}
		fmt.Fprintf(&b, "%s: %08X %08X %08X %04X %02X %5d", sockPointer, refs, 0, flags, e.Type, e.State, e.Ino)
		if p := e.Local.Path; p != "" {
			b.WriteString(" " + strings.ReplaceAll(p, "\x00", "@"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// netlinkTable is /proc/net/netlink (netlink_seq_show).
func netlinkTable(n *net.Stack) string {
	var b strings.Builder
	b.WriteString("sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n")
	for _, e := range n.Sockets() {
		if e.Family != abi.AF_NETLINK {
			continue
		}
		fmt.Fprintf(&b, "%s %-3d %-10d %08x %-8d %-8d %-5d %-8d %-8d %-8d\n", sockPointer, e.Protocol, e.Local.NlPid,
			e.Local.NlGroups, 0, 0, 0, 2, 0, e.Ino)
	}
	return b.String()
}

// netDev is /proc/net/dev (dev_seq_show): each interface's counters;
// netstack counts bytes and packets, and nothing it drops per interface.
func netDev(n *net.Stack) string {
	var b strings.Builder
	b.WriteString("Inter-|   Receive                                                |  Transmit\n")
	b.WriteString(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n")
	for _, in := range n.Interfaces() {
		fmt.Fprintf(&b, "%6s:%8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n", in.Name,
			in.RxBytes, in.RxPackets, 0, 0, 0, 0, 0, 0, in.TxBytes, in.TxPackets, 0, 0, 0, 0, 0, 0)
	}
	return b.String()
}

// ifInet6 is /proc/net/if_inet6 (if6_seq_show): each IPv6 address, its
// interface, prefix length, scope and flags (IFA_F_PERMANENT).
func ifInet6(n *net.Stack) string {
	var b strings.Builder
	for _, in := range n.Interfaces() {
		for _, p := range in.Addrs {
			if !p.Addr().Is6() {
				continue
			}
			a := p.Addr().As16()
			scope := 0 // RT_SCOPE_UNIVERSE
			switch {
			case p.Addr().IsLoopback():
				scope = 0x10 // IFA_HOST
			case p.Addr().IsLinkLocalUnicast():
				scope = 0x20 // IFA_LINK
			}
			fmt.Fprintf(&b, "%x %02x %02x %02x %02x %8s\n", a[:], in.Index, p.Bits(), scope, 0x80, in.Name)
		}
	}
	return b.String()
}

// route is /proc/net/route (fib_route_seq_show): the IPv4 routes of the
// main table, padded to 127 columns.
func route(n *net.Stack) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT")
	names := map[int32]string{}
	for _, in := range n.Interfaces() {
		names[in.Index] = in.Name
	}
	for _, r := range n.Routes() {
		if !r.Dst.Addr().Is4() {
			continue
		}
		flags := 0x1 // RTF_UP
		gw := netip.IPv4Unspecified()
		if r.Gateway.IsValid() {
			flags |= 0x2 // RTF_GATEWAY
			gw = r.Gateway
		}
		mask := netip.IPv4Unspecified()
		if bits := r.Dst.Bits(); bits > 0 {
			m := ^uint32(0) << (32 - bits)
			mask = netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%04X\t%d\t%d\t%d\t%s\t%d\t%d\t%d", names[r.Index], hexAddr(r.Dst.Masked().Addr()),
			hexAddr(gw), flags, 0, 0, 0, hexAddr(mask), 0, 0, 0)
		fmt.Fprintf(&b, "%-127s\n", line)
	}
	return b.String()
}

// sockstat is /proc/net/sockstat or sockstat6 (sockstat_seq_show): the
// sockets in use, of each protocol; paddock keeps no per-protocol memory
// accounting, so mem is 0.
func sockstat(n *net.Stack, v6 bool) string {
	var all, tcp, tw, tcpAlloc, udp, raw int
	family := abi.AF_INET
	if v6 {
		family = abi.AF_INET6
	}
	for _, e := range n.Sockets() {
		if e.Ino != 0 {
			all++
		}
		if e.Family != abi.AF_INET && e.Family != abi.AF_INET6 {
			continue
		}
		if e.Type == abi.SOCK_STREAM {
			tcpAlloc++
		}
		if e.Family != family {
			continue
		}
		switch {
		case e.Type == abi.SOCK_STREAM && e.State == abi.TCP_TIME_WAIT:
			tw++
		case e.Type == abi.SOCK_STREAM:
			tcp++
		case e.Type == abi.SOCK_RAW:
			raw++
		case e.Protocol == abi.IPPROTO_UDP:
			udp++
		}
	}
	if v6 {
		return fmt.Sprintf("TCP6: inuse %d\nUDP6: inuse %d\nUDPLITE6: inuse 0\nRAW6: inuse %d\nFRAG6: inuse 0 memory 0\n", tcp, udp, raw)
	}
	return fmt.Sprintf("sockets: used %d\nTCP: inuse %d orphan 0 tw %d alloc %d mem 0\nUDP: inuse %d mem 0\nUDPLITE: inuse 0\nRAW: inuse %d\nFRAG: inuse 0 memory 0\n",
		all, tcp, tw, tcpAlloc, udp, raw)
}

// counters writes a pair of lines, names and values, as the SNMP files
// lay out each group.
func counters(b *strings.Builder, group string, names string, vals ...int64) {
	fmt.Fprintf(b, "%s: %s\n%s:", group, names, group)
	for _, v := range vals {
		b.WriteString(" " + strconv.FormatInt(v, 10))
	}
	b.WriteString("\n")
}

// snmp is /proc/net/snmp (snmp_seq_show) from netstack's counters, which
// count IPv4 and IPv6 together; counters netstack does not keep are 0.
func snmp(n *net.Stack) string {
	s := n.Stats()
	v := func(c interface{ Value() uint64 }) int64 { return int64(c.Value()) }
	var b strings.Builder
	ip := s.IP
	counters(&b, "Ip", "Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits",
		2, 64, v(ip.PacketsReceived), v(ip.MalformedPacketsReceived), v(ip.InvalidDestinationAddressesReceived), 0, 0,
		0, v(ip.PacketsDelivered), v(ip.PacketsSent), v(ip.OutgoingPacketErrors), 0, 0, 0, 0, 0, 0, 0, 0, v(ip.PacketsSent))
	in, out := s.ICMP.V4.PacketsReceived, s.ICMP.V4.PacketsSent
	inMsgs := v(in.EchoRequest) + v(in.EchoReply) + v(in.DstUnreachable) + v(in.TimeExceeded) + v(in.ParamProblem)
	outMsgs := v(out.EchoRequest) + v(out.EchoReply) + v(out.DstUnreachable) + v(out.TimeExceeded) + v(out.ParamProblem)
	counters(&b, "Icmp", "InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps",
		inMsgs, v(in.Invalid), 0, v(in.DstUnreachable), v(in.TimeExceeded), v(in.ParamProblem), v(in.SrcQuench),
		v(in.Redirect), v(in.EchoRequest), v(in.EchoReply), v(in.Timestamp), v(in.TimestampReply), 0, 0,
		outMsgs, v(out.Dropped), v(out.RateLimited), 0, v(out.DstUnreachable), v(out.TimeExceeded),
		v(out.ParamProblem), v(out.SrcQuench), v(out.Redirect), v(out.EchoRequest), v(out.EchoReply), v(out.Timestamp),
		v(out.TimestampReply), 0, 0)
	t := s.TCP
	counters(&b, "Tcp", "RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors",
		1, 200, 120000, -1, v(t.ActiveConnectionOpenings), v(t.PassiveConnectionOpenings), v(t.FailedConnectionAttempts),
		v(t.EstablishedResets), v(t.CurrentEstablished), v(t.ValidSegmentsReceived), v(t.SegmentsSent), v(t.Retransmits),
		v(t.InvalidSegmentsReceived), v(t.ResetsSent), v(t.ChecksumErrors))
	u := s.UDP
	const udpNames = "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors"
	counters(&b, "Udp", udpNames, v(u.PacketsReceived), v(u.UnknownPortErrors),
		v(u.MalformedPacketsReceived)+v(u.ReceiveBufferErrors)+v(u.ChecksumErrors), v(u.PacketsSent),
		v(u.ReceiveBufferErrors), v(u.PacketSendErrors), v(u.ChecksumErrors), 0, 0)
	counters(&b, "UdpLite", udpNames, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	return b.String()
}

// netstat is /proc/net/netstat (netstat_seq_show): the extended TCP and
// IP counters netstack keeps, a subset of Linux's (each line pairs names
// and values, so readers take what is there).
func netstat(n *net.Stack) string {
	s := n.Stats()
	v := func(c interface{ Value() uint64 }) int64 { return int64(c.Value()) }
	t := s.TCP
	var b strings.Builder
	overflows := v(t.ListenOverflowSynDrop) + v(t.ListenOverflowAckDrop)
	counters(&b, "TcpExt", "SyncookiesSent SyncookiesRecv SyncookiesFailed ListenOverflows ListenDrops TCPRenoRecovery TCPSackRecovery TCPLossProbeRecovery TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPSpuriousRTOs TCPDSACKRecvSegs",
		v(t.ListenOverflowSynCookieSent), v(t.ListenOverflowSynCookieRcvd), v(t.ListenOverflowInvalidSynCookieRcvd),
		overflows, overflows, v(t.FastRecovery), v(t.SACKRecovery), v(t.TLPRecovery), v(t.FastRetransmit),
		v(t.SlowStartRetransmits), v(t.Timeouts), v(t.SpuriousRTORecovery), v(t.SegmentsAckedWithDSACK))
	var inOctets, outOctets int64
	for _, in := range n.Interfaces() {
		inOctets += int64(in.RxBytes)
		outOctets += int64(in.TxBytes)
	}
	counters(&b, "IpExt", "InOctets OutOctets", inOctets, outOctets)
	return b.String()
}

// sysNet is /proc/sys/net: the settings of paddock's network that
// programs read; the ephemeral port range may be changed.
func (fs *FS) sysNet(ro func(string, func() string) entry, rw func(string, func() string, func(string) error) entry,
	sub func(string, []entry) entry) []entry {
	n := fs.k.Net()
	num := func(v int) func() string { return func() string { return strconv.Itoa(v) + "\n" } }
	triple := func(v [3]int) func() string {
		return func() string { return fmt.Sprintf("%d\t%d\t%d\n", v[0], v[1], v[2]) }
	}
	rcv, snd := n.TCPBuffers()
	return []entry{
		sub("core", []entry{
			ro("somaxconn", num(abi.SOMAXCONN)),
			ro("rmem_default", num(net.DefaultBuffer)),
			ro("wmem_default", num(net.DefaultBuffer)),
			ro("rmem_max", num(net.MaxBuffer)),
			ro("wmem_max", num(net.MaxBuffer)),
		}),
		sub("ipv4", []entry{
			rw("ip_local_port_range", func() string {
				lo, hi := n.PortRange()
				return fmt.Sprintf("%d\t%d\n", lo, hi)
			}, func(s string) error {
				var lo, hi uint16
				if _, err := fmt.Sscanf(s, "%d %d", &lo, &hi); err != nil || lo == 0 || lo > hi {
					return abi.EINVAL
				}
				return n.SetPortRange(lo, hi)
			}),
			ro("ip_forward", num(0)),
			// Anyone may open a ping socket, as in docker's
			// containers.
			ro("ping_group_range", func() string { return "0\t2147483647\n" }),
			ro("tcp_rmem", triple(rcv)),
			ro("tcp_wmem", triple(snd)),
		}),
		sub("ipv6", []entry{ro("bindv6only", num(0))}),
		sub("unix", []entry{ro("max_dgram_qlen", num(net.MaxDgramQueue))}),
	}
}
