package net

import (
	"encoding/binary"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// Ioctl implements vfs.Ioctler: the queue lengths of the socket
// (SIOCINQ, SIOCOUTQ) and the interface controls of sock_ioctl and
// dev_ioctl, which Linux answers on a socket of any family (the address
// ones, devinet_ioctl's, on AF_INET sockets only).
func (f *file) Ioctl(ctx vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	switch cmd {
	case abi.SIOCINQ, abi.SIOCOUTQ:
		n, err := f.Socket.queueLen(cmd == abi.SIOCOUTQ)
		if err != nil {
			return 0, err
		}
		return 0, vfs.PutUint32(mem, arg, uint32(n))
	case abi.SIOCGIFCONF:
		return 0, f.stack.ifconf(arg, mem)
	case abi.SIOCGIFNAME, abi.SIOCGIFINDEX, abi.SIOCGIFFLAGS, abi.SIOCSIFFLAGS, abi.SIOCGIFMTU,
		abi.SIOCGIFMETRIC, abi.SIOCGIFTXQLEN, abi.SIOCGIFHWADDR:
	case abi.SIOCGIFADDR, abi.SIOCGIFNETMASK, abi.SIOCGIFBRDADDR:
		if f.Family() != abi.AF_INET {
			return 0, abi.ENOTTY
		}
	default:
		return 0, abi.ENOTTY
	}
	var req [abi.SizeofIfreq]byte
	if err := mem.CopyIn(arg, req[:]); err != nil {
		return 0, err
	}
	if err := f.stack.ifreq(ctx, cmd, &req); err != nil {
		return 0, err
	}
	if cmd == abi.SIOCSIFFLAGS {
		return 0, nil
	}
	return 0, mem.CopyOut(arg, req[:])
}

// ifreq answers one interface ioctl in req, a struct ifreq: the
// interface named in ifr_name (by ifr_ifindex for SIOCGIFNAME), and the
// union after it.
func (s *Stack) ifreq(ctx vfs.Context, cmd uint32, req *[abi.SizeofIfreq]byte) error {
	u := req[abi.IFNAMSIZ:]
	var in Interface
	var ok bool
	if cmd == abi.SIOCGIFNAME {
		in, ok = s.Interface(int32(binary.LittleEndian.Uint32(u)), "")
	} else {
		in, ok = s.Interface(0, cstr(req[:abi.IFNAMSIZ]))
	}
	if !ok {
		return abi.ENODEV
	}
	switch cmd {
	case abi.SIOCGIFNAME:
		clear(req[:abi.IFNAMSIZ])
		copy(req[:abi.IFNAMSIZ-1], in.Name)
	case abi.SIOCGIFINDEX:
		binary.LittleEndian.PutUint32(u, uint32(in.Index))
	case abi.SIOCGIFFLAGS:
		binary.LittleEndian.PutUint16(u, uint16(in.Flags))
	case abi.SIOCSIFFLAGS:
		if !ctx.Creds().Root() {
			return abi.EPERM
		}
		up := binary.LittleEndian.Uint16(u)&abi.IFF_UP != 0
		if up != (in.Flags&abi.IFF_UP != 0) {
			return s.SetUp(in.Index, up)
		}
	case abi.SIOCGIFMTU:
		binary.LittleEndian.PutUint32(u, in.MTU)
	case abi.SIOCGIFMETRIC:
		binary.LittleEndian.PutUint32(u, 0)
	case abi.SIOCGIFTXQLEN:
		binary.LittleEndian.PutUint32(u, in.TxQLen)
	case abi.SIOCGIFHWADDR:
		clear(u)
		binary.LittleEndian.PutUint16(u, in.Type)
		copy(u[2:], in.HWAddr[:])
	default: // the IPv4 address, its netmask or broadcast address
		p, ok := in.ipv4()
		if !ok {
			return abi.EADDRNOTAVAIL
		}
		a := p.Addr()
		switch cmd {
		case abi.SIOCGIFNETMASK:
			a = netmask(p.Bits())
		case abi.SIOCGIFBRDADDR:
			a = broadcast(in, p)
		}
		clear(u)
		copy(u, (&abi.Sockaddr{Family: abi.AF_INET, IP: a}).Encode())
	}
	return nil
}

// ifconf answers SIOCGIFCONF: an ifreq with the name and IPv4 address of
// each interface that has one, as many as ifc_len bytes hold, or with a
// NULL buffer the length all of them need (inet_gifconf).
func (s *Stack) ifconf(arg uint64, mem vfs.Memory) error {
	var ifc [abi.SizeofIfconf]byte
	if err := mem.CopyIn(arg, ifc[:]); err != nil {
		return err
	}
	size := int(int32(binary.LittleEndian.Uint32(ifc[:])))
	buf := binary.LittleEndian.Uint64(ifc[8:])
	n := 0
	for _, in := range s.Interfaces() {
		p, ok := in.ipv4()
		if !ok {
			continue
		}
		if buf != 0 {
			if n+abi.SizeofIfreq > size {
				break
			}
			var req [abi.SizeofIfreq]byte
			copy(req[:abi.IFNAMSIZ-1], in.Name)
			copy(req[abi.IFNAMSIZ:], (&abi.Sockaddr{Family: abi.AF_INET, IP: p.Addr()}).Encode())
			if err := mem.CopyOut(buf+uint64(n), req[:]); err != nil {
				return err
			}
		}
		n += abi.SizeofIfreq
	}
	binary.LittleEndian.PutUint32(ifc[:], uint32(n))
	return mem.CopyOut(arg, ifc[:4])
}
