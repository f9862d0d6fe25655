package sys

import (
	"encoding/binary"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/net"
	"paddock/kernel/vfs"
)

// socketFile returns the socket open as fd: EBADF, or ENOTSOCK for
// another kind of file.
func socketFile(t *kernel.Task, fd int32) (*vfs.File, net.Socket, error) {
	f, err := file(t, fd)
	if err != nil {
		return nil, nil, err
	}
	s := net.Of(f)
	if s == nil {
		f.DecRef()
		return nil, nil, abi.ENOTSOCK
	}
	return f, s, nil
}

// readSockaddr copies in a socket address of n bytes
// (move_addr_to_kernel): EINVAL beyond sockaddr_storage, EFAULT.
func readSockaddr(t *kernel.Task, addr uint64, n int32) (abi.Sockaddr, error) {
	if n < 0 || n > abi.SizeofSockaddrStorage {
		return abi.Sockaddr{}, abi.EINVAL
	}
	b := make([]byte, n)
	if err := t.CopyIn(addr, b); err != nil {
		return abi.Sockaddr{}, err
	}
	return abi.DecodeSockaddr(b)
}

// writeSockaddr copies an address out to addr, whose room the int at
// lenAddr gives, and stores the address's real length there
// (move_addr_to_user): the address is cut to the room, the length is not.
// An empty address copies nothing and stores 0.
func writeSockaddr(t *kernel.Task, b []byte, addr, lenAddr uint64) error {
	if addr == 0 || lenAddr == 0 {
		return nil
	}
	room, err := getU32(t, lenAddr)
	if err != nil {
		return err
	}
	if int32(room) < 0 {
		return abi.EINVAL
	}
	if n := min(int(room), len(b)); n > 0 {
		if err := t.CopyOut(addr, b[:n]); err != nil {
			return err
		}
	}
	return putU32(t, lenAddr, uint32(len(b)))
}

// sockFlags splits socket(2)'s type into the type and its flags: EINVAL
// for a flag other than SOCK_NONBLOCK and SOCK_CLOEXEC or a type past
// SOCK_PACKET (__sys_socket).
func sockFlags(typ int32) (int, uint32, error) {
	flags := uint32(typ) &^ abi.SOCK_TYPE_MASK
	base := int(typ & abi.SOCK_TYPE_MASK)
	if flags&^(abi.SOCK_NONBLOCK|abi.SOCK_CLOEXEC) != 0 || base < 1 || base > 10 {
		return 0, 0, abi.EINVAL
	}
	return base, flags, nil
}

// Socket implements socket(2).
func Socket(t *kernel.Task, a kernel.Args) (uint64, error) {
	typ, flags, err := sockFlags(a.Int(1))
	if err != nil {
		return 0, err
	}
	f, err := t.Kernel().Net().NewSocket(t, int(a.Int(0)), typ, int(a.Int(2)), flags)
	if err != nil {
		return 0, err
	}
	return install(t, f, flags&abi.SOCK_CLOEXEC != 0)
}

// Socketpair implements socketpair(2).
func Socketpair(t *kernel.Task, a kernel.Args) (uint64, error) {
	typ, flags, err := sockFlags(a.Int(1))
	if err != nil {
		return 0, err
	}
	f0, f1, err := t.Kernel().Net().NewPair(t, int(a.Int(0)), typ, int(a.Int(2)), flags)
	if err != nil {
		return 0, err
	}
	cloexec := flags&abi.SOCK_CLOEXEC != 0
	fd0, err := install(t, f0, cloexec)
	if err != nil {
		f1.DecRef()
		return 0, err
	}
	fd1, err := install(t, f1, cloexec)
	if err != nil {
		t.FDs().Close(int32(fd0))
		return 0, err
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, uint32(fd0))
	binary.LittleEndian.PutUint32(b[4:], uint32(fd1))
	if err := t.CopyOut(a[3], b); err != nil {
		t.FDs().Close(int32(fd0))
		t.FDs().Close(int32(fd1))
		return 0, err
	}
	return 0, nil
}

// Bind implements bind(2).
func Bind(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	sa, err := readSockaddr(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	return boolErr(s.Bind(t, sa))
}

// Listen implements listen(2).
func Listen(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return boolErr(s.Listen(t, int(a.Int(1))))
}

// Connect implements connect(2).
func Connect(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	sa, err := readSockaddr(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	return boolErr(s.Connect(t, sa, f.NonBlocking()))
}

// Accept implements accept(2).
func Accept(t *kernel.Task, a kernel.Args) (uint64, error) {
	return accept(t, a.Int(0), a[1], a[2], 0)
}

// Accept4 implements accept4(2).
func Accept4(t *kernel.Task, a kernel.Args) (uint64, error) {
	return accept(t, a.Int(0), a[1], a[2], a.Uint(3))
}

func accept(t *kernel.Task, fd int32, addr, lenAddr uint64, flags uint32) (uint64, error) {
	if flags&^(abi.SOCK_NONBLOCK|abi.SOCK_CLOEXEC) != 0 {
		return 0, abi.EINVAL
	}
	f, s, err := socketFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	ns, peer, err := s.Accept(t, f.NonBlocking())
	if err != nil {
		return 0, err
	}
	nf := t.Kernel().Net().File(ns, t.Creds(), flags)
	newfd, err := install(t, nf, flags&abi.SOCK_CLOEXEC != 0)
	if err != nil {
		return 0, err
	}
	if err := writeSockaddr(t, peer.Encode(), addr, lenAddr); err != nil {
		t.FDs().Close(int32(newfd))
		return 0, err
	}
	return newfd, nil
}

// Getsockname implements getsockname(2).
func Getsockname(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	name := s.Name()
	return 0, writeSockaddr(t, name.Encode(), a[1], a[2])
}

// Getpeername implements getpeername(2).
func Getpeername(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	peer, err := s.Peer()
	if err != nil {
		return 0, err
	}
	return 0, writeSockaddr(t, peer.Encode(), a[1], a[2])
}

// Sendto implements sendto(2).
func Sendto(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	var m net.Message
	if a[4] != 0 {
		sa, err := readSockaddr(t, a[4], a.Int(5))
		if err != nil {
			return 0, err
		}
		m.Addr = &sa
	}
	n, err := send(t, f, s, &m, min(a[2], abi.MAX_RW_COUNT), a.Int(3), func(off uint64, b []byte) error {
		return t.CopyIn(a[1]+off, b)
	})
	return uint64(n), sendErr(t, err, a.Int(3))
}

// send sends total bytes that fill copies in from the guest (bytes off
// on into b), a chunk at a time, so that a huge send never holds more
// than a chunk of paddock's memory: a stream takes the chunks in turn,
// any other socket's message must fit in one (EMSGSIZE: no socket
// buffer holds more).
func send(t *kernel.Task, f *vfs.File, s net.Socket, m *net.Message, total uint64, flags int32, fill func(off uint64, b []byte) error) (int, error) {
	if s.Type() != abi.SOCK_STREAM && total > chunk {
		return 0, abi.EMSGSIZE
	}
	buf, release := getScratch(min(total, chunk))
	defer release()
	done := 0
	for {
		b := buf[:min(total-uint64(done), chunk)]
		if err := fill(uint64(done), b); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		n, err := s.Send(t, b, m, int(flags), f.NonBlocking())
		done += n
		switch {
		case err != nil && done > 0:
			return done, nil
		case err != nil:
			return 0, err
		case n < len(b) || uint64(done) == total:
			return done, nil
		}
	}
}

// sendErr is EPIPE's SIGPIPE, unless MSG_NOSIGNAL.
func sendErr(t *kernel.Task, err error, flags int32) error {
	if err == abi.EPIPE && flags&abi.MSG_NOSIGNAL == 0 {
		t.SendSignalSelf(abi.SIGPIPE)
	}
	return err
}

// Recvfrom implements recvfrom(2).
func Recvfrom(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	// A receive takes at most a chunk: no datagram is larger, and a
	// stream may return less than asked.
	data, release := getScratch(min(a[2], chunk))
	defer release()
	var m net.Message
	n, err := s.Recv(t, data, &m, int(a.Int(3)), f.NonBlocking())
	drop(m.Rights)
	if err != nil {
		return 0, err
	}
	if err := t.CopyOut(a[1], data[:min(n, len(data))]); err != nil {
		return 0, err
	}
	var from []byte
	if m.Addr != nil {
		from = m.Addr.Encode()
	}
	return uint64(n), writeSockaddr(t, from, a[4], a[5])
}

// drop releases files a receive took that nobody will install.
func drop(fs []*vfs.File) {
	for _, f := range fs {
		f.DecRef()
	}
}

// Sendmsg implements sendmsg(2).
func Sendmsg(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	b := make([]byte, abi.SizeofMsghdr)
	if err := t.CopyIn(a[1], b); err != nil {
		return 0, err
	}
	n, err := sendmsg(t, f, s, abi.DecodeMsghdr(b), a.Int(2))
	return uint64(n), err
}

// sendmsg sends one struct msghdr's message.
func sendmsg(t *kernel.Task, f *vfs.File, s net.Socket, h abi.Msghdr, flags int32) (int, error) {
	var m net.Message
	if h.Name != 0 {
		sa, err := readSockaddr(t, h.Name, int32(h.Namelen))
		if err != nil {
			return 0, err
		}
		m.Addr = &sa
	}
	iov, err := iovecs(t, h.Iov, int32(min(h.Iovlen, abi.IOV_MAX+1)))
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, v := range iov {
		total += v.Len
	}
	if err := control(t, h, &m); err != nil {
		drop(m.Rights)
		return 0, err
	}
	n, err := send(t, f, s, &m, min(total, abi.MAX_RW_COUNT), flags, func(off uint64, b []byte) error {
		return gather(t, iov, off, b)
	})
	drop(m.Rights)
	return n, sendErr(t, err, flags)
}

// gather fills b with the bytes the iovecs point at, from off on.
func gather(t *kernel.Task, iov []abi.Iovec, off uint64, b []byte) error {
	for _, v := range iov {
		if len(b) == 0 {
			break
		}
		if off >= v.Len {
			off -= v.Len
			continue
		}
		k := min(v.Len-off, uint64(len(b)))
		if err := t.CopyIn(v.Base+off, b[:k]); err != nil {
			return err
		}
		b, off = b[k:], 0
	}
	return nil
}

// control reads a message's control data: SCM_RIGHTS's descriptors
// become files (EBADF for one that is not open, EINVAL for more than
// SCM_MAX_FD), SCM_CREDENTIALS the credentials to send (__scm_send).
func control(t *kernel.Task, h abi.Msghdr, m *net.Message) error {
	if h.Controllen == 0 {
		return nil
	}
	if h.Controllen > 1<<16 {
		return abi.ENOBUFS
	}
	b := make([]byte, h.Controllen)
	if err := t.CopyIn(h.Control, b); err != nil {
		return err
	}
	cmsgs, err := abi.ParseCmsgs(b)
	if err != nil {
		return err
	}
	for _, c := range cmsgs {
		if c.Level != abi.SOL_SOCKET {
			continue
		}
		switch c.Type {
		case abi.SCM_RIGHTS:
			n := len(c.Data) / 4
			if n+len(m.Rights) > abi.SCM_MAX_FD {
				return abi.EINVAL
			}
			for i := range n {
				rf, err := t.FDs().Get(int32(le32(c.Data[4*i:])))
				if err != nil {
					return err
				}
				m.Rights = append(m.Rights, rf)
			}
		case abi.SCM_CREDENTIALS:
			if len(c.Data) < abi.SizeofUcred {
				return abi.EINVAL
			}
			cr := abi.DecodeUcred(c.Data)
			m.Creds = &cr
		default:
			return abi.EINVAL
		}
	}
	return nil
}

// Recvmsg implements recvmsg(2).
func Recvmsg(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	b := make([]byte, abi.SizeofMsghdr)
	if err := t.CopyIn(a[1], b); err != nil {
		return 0, err
	}
	h := abi.DecodeMsghdr(b)
	n, err := recvmsg(t, f, s, &h, a.Int(2))
	if err != nil {
		return 0, err
	}
	h.Encode(b)
	return uint64(n), t.CopyOut(a[1], b)
}

// recvmsg receives one message into h's buffers and updates h's lengths
// and flags.
func recvmsg(t *kernel.Task, f *vfs.File, s net.Socket, h *abi.Msghdr, flags int32) (int, error) {
	iov, err := iovecs(t, h.Iov, int32(min(h.Iovlen, abi.IOV_MAX+1)))
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, v := range iov {
		total += v.Len
	}
	data, release := getScratch(min(total, chunk))
	defer release()
	var m net.Message
	n, err := s.Recv(t, data, &m, int(flags), f.NonBlocking())
	if err != nil {
		drop(m.Rights)
		return 0, err
	}
	rest := data[:min(n, len(data))]
	for _, v := range iov {
		k := min(uint64(len(rest)), v.Len)
		if k == 0 {
			break // an empty buffer need not be addressable
		}
		if err := t.CopyOut(v.Base, rest[:k]); err != nil {
			drop(m.Rights)
			return 0, err
		}
		rest = rest[k:]
	}
	var from []byte
	if m.Addr != nil {
		from = m.Addr.Encode()
	}
	if h.Name != 0 {
		k := min(len(from), int(h.Namelen))
		if err := t.CopyOut(h.Name, from[:k]); err != nil {
			drop(m.Rights)
			return 0, err
		}
		h.Namelen = uint32(len(from))
	}
	h.Flags = int32(m.Flags)
	cb, ctrunc := recvControl(t, &m, int(h.Controllen), flags&abi.MSG_CMSG_CLOEXEC != 0)
	if ctrunc {
		h.Flags |= abi.MSG_CTRUNC
	}
	if len(cb) > 0 {
		if err := t.CopyOut(h.Control, cb); err != nil {
			return 0, err
		}
	}
	h.Controllen = uint64(len(cb))
	return n, nil
}

// recvControl builds the control messages a receive delivers, in
// Linux's order: an IP socket's, the credentials, then the descriptors, installed in the
// receiver's table (scm_recv). What does not fit in room is dropped, and
// ctrunc says so: descriptors that do not fit are closed.
func recvControl(t *kernel.Task, m *net.Message, room int, cloexec bool) (b []byte, ctrunc bool) {
	for _, c := range m.Control {
		if room-len(b) < abi.CmsgSpace(len(c.Data)) {
			ctrunc = true
			break
		}
		b = abi.AppendCmsg(b, c.Level, c.Type, c.Data)
	}
	if m.Creds != nil {
		if room-len(b) >= abi.CmsgSpace(abi.SizeofUcred) {
			b = abi.AppendCmsg(b, abi.SOL_SOCKET, abi.SCM_CREDENTIALS, m.Creds.Encode())
		} else {
			ctrunc = true
		}
	}
	if len(m.Rights) > 0 {
		fit := max(0, (room-len(b)-abi.SizeofCmsghdr)/4)
		var fds []byte
		limit := t.Process().Limit(abi.RLIMIT_NOFILE)
		for i, rf := range m.Rights {
			if i >= fit {
				ctrunc = true
				rf.DecRef()
				continue
			}
			fd, err := t.FDs().Install(rf, 0, cloexec, limit)
			rf.DecRef()
			if err != nil {
				ctrunc = true
				continue
			}
			fds = binary.LittleEndian.AppendUint32(fds, uint32(fd))
		}
		if len(fds) > 0 {
			b = abi.AppendCmsg(b, abi.SOL_SOCKET, abi.SCM_RIGHTS, fds)
			if len(b) > room {
				// The padding after the last descriptors need not fit.
				b = b[:room]
			}
		}
	}
	return b, ctrunc
}

// Sendmmsg implements sendmmsg(2): each message in turn, until one fails
// (whose error is returned only if it was the first).
func Sendmmsg(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	count := min(a.Uint(2), abi.IOV_MAX)
	for i := uint32(0); i < count; i++ {
		at := a[1] + uint64(i)*abi.SizeofMmsghdr
		b := make([]byte, abi.SizeofMmsghdr)
		if err := t.CopyIn(at, b); err != nil {
			return mmsgResult(i, err)
		}
		n, err := sendmsg(t, f, s, abi.DecodeMsghdr(b), a.Int(3))
		if err != nil {
			return mmsgResult(i, err)
		}
		if err := putU32(t, at+abi.SizeofMsghdr, uint32(n)); err != nil {
			return mmsgResult(i, err)
		}
	}
	return uint64(count), nil
}

// mmsgResult is the result of sendmmsg and recvmmsg after i messages and
// an error: the count if any went, else the error.
func mmsgResult(i uint32, err error) (uint64, error) {
	if i > 0 {
		return uint64(i), nil
	}
	return 0, err
}

// Recvmmsg implements recvmmsg(2) (without a timeout: the wait for the
// first message is the one a blocking socket makes; MSG_WAITFORONE makes
// the later ones non-blocking).
func Recvmmsg(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if a[4] != 0 {
		return 0, abi.EINVAL
	}
	flags := a.Int(3)
	count := min(a.Uint(2), abi.IOV_MAX)
	for i := uint32(0); i < count; i++ {
		at := a[1] + uint64(i)*abi.SizeofMmsghdr
		b := make([]byte, abi.SizeofMmsghdr)
		if err := t.CopyIn(at, b); err != nil {
			return mmsgResult(i, err)
		}
		h := abi.DecodeMsghdr(b)
		n, err := recvmsg(t, f, s, &h, flags)
		if err != nil {
			return mmsgResult(i, err)
		}
		h.Encode(b)
		binary.LittleEndian.PutUint32(b[abi.SizeofMsghdr:], uint32(n))
		if err := t.CopyOut(at, b); err != nil {
			return mmsgResult(i, err)
		}
		if flags&abi.MSG_WAITFORONE != 0 {
			flags |= abi.MSG_DONTWAIT
		}
	}
	return uint64(count), nil
}

// Shutdown implements shutdown(2).
func Shutdown(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return boolErr(s.Shutdown(int(a.Int(1))))
}

// Setsockopt implements setsockopt(2).
func Setsockopt(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	n := a.Int(4)
	if n < 0 {
		return 0, abi.EINVAL
	}
	val := make([]byte, min(int(n), abi.PageSize))
	if err := t.CopyIn(a[3], val); err != nil {
		return 0, err
	}
	return boolErr(s.SetSockOpt(t, int(a.Int(1)), int(a.Int(2)), val))
}

// Getsockopt implements getsockopt(2): the value, cut to the room the
// caller gave, and its length.
func Getsockopt(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, s, err := socketFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	room, err := getU32(t, a[4])
	if err != nil {
		return 0, err
	}
	if int32(room) < 0 {
		return 0, abi.EINVAL
	}
	val, err := s.GetSockOpt(t, int(a.Int(1)), int(a.Int(2)))
	if err != nil {
		return 0, err
	}
	n := min(int(room), len(val))
	if err := t.CopyOut(a[3], val[:n]); err != nil {
		return 0, err
	}
	return 0, putU32(t, a[4], uint32(n))
}
