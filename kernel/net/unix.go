package net

import (
	"fmt"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// Unix sockets follow net/unix/af_unix.c. All of a stack's Unix sockets
// share one lock (Stack.unixMu): a send touches two sockets, a connect
// three, and one lock cannot be taken in the wrong order.

// Linux's defaults: the socket buffer sizes (net.core.wmem_default and
// rmem_default) and their limit (wmem_max, rmem_max), and the datagrams
// a socket's queue holds (net.unix.max_dgram_qlen).
const (
	defaultBuf     = 212992
	maxBuf         = 212992
	minBuf         = 4608
	maxDgramQueue  = 10
	shutRcv        = 1 // RCV_SHUTDOWN
	shutSend       = 2 // SEND_SHUTDOWN
	shutBoth       = shutRcv | shutSend
	autobindPrefix = "\x00"
)

// unixSocket is one AF_UNIX socket.
type unixSocket struct {
	stack *Stack
	typ   int
	q     vfs.Queue

	// Guarded by stack.unixMu.
	name       string // bound address: a path, or NUL and an abstract name; "" unnamed
	key        inodeKey
	listening  bool
	backlog    []*unixSocket // connections waiting for accept (their server ends)
	maxBacklog int
	peer       *unixSocket // the other end; a datagram socket's default destination
	connected  bool        // stream or seqpacket: has, or had, a peer
	recvq      []segment
	queued     int // bytes in recvq
	unread     int // bytes this socket sent that are in a receive queue (SIOCOUTQ)
	shutdown   int // shutRcv, shutSend: this end's and those the peer caused
	closed     bool
	err        error // the error SO_ERROR reports and the next call returns
	passcred   bool
	cred       abi.Ucred // who connected, listened or paired this end
	peerCred   *abi.Ucred
	sndbuf     int
	rcvbuf     int
	rcvtimeo   time.Duration
	sndtimeo   time.Duration
	opts       map[int]int // SOL_SOCKET options stored and reported back
}

// segment is what one send put in a receive queue.
type segment struct {
	data   []byte
	from   string // the sender's name, for a datagram
	sender *unixSocket
	rights []*vfs.File
	creds  *abi.Ucred
}

func newUnix(s *Stack, typ int) *unixSocket {
	return &unixSocket{stack: s, typ: typ, sndbuf: defaultBuf, rcvbuf: defaultBuf, opts: map[int]int{}}
}

// pairUnix connects a and b as socketpair does.
func pairUnix(ctx Context, a, b *unixSocket) {
	cred := ucred(ctx)
	a.peer, b.peer = b, a
	a.connected, b.connected = true, true
	a.cred, b.cred = cred, cred
	a.peerCred, b.peerCred = &cred, &cred
}

func (u *unixSocket) Family() int   { return abi.AF_UNIX }
func (u *unixSocket) Type() int     { return u.typ }
func (u *unixSocket) Protocol() int { return 0 }

// notify wakes those who wait on the sockets.
func notify(socks ...*unixSocket) {
	for _, s := range socks {
		if s != nil {
			s.q.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP | abi.POLLERR | abi.POLLRDHUP)
		}
	}
}

// sockaddr is the socket's address as the calls report it.
func (u *unixSocket) sockaddr() abi.Sockaddr {
	return abi.Sockaddr{Family: abi.AF_UNIX, Path: u.name}
}

// Name implements Socket.
func (u *unixSocket) Name() abi.Sockaddr {
	u.stack.unixMu.Lock()
	defer u.stack.unixMu.Unlock()
	return u.sockaddr()
}

// Peer implements Socket.
func (u *unixSocket) Peer() (abi.Sockaddr, error) {
	u.stack.unixMu.Lock()
	defer u.stack.unixMu.Unlock()
	if u.peer == nil {
		return abi.Sockaddr{}, abi.ENOTCONN
	}
	return u.peer.sockaddr(), nil
}

// checkAddr validates a Unix address (unix_validate_addr).
func checkAddr(a abi.Sockaddr) error {
	if a.Family != abi.AF_UNIX {
		return abi.EINVAL
	}
	return nil
}

// Bind implements Socket: a path makes a socket file (EADDRINUSE if the
// name exists), a NUL-led name takes an abstract one, and an empty name
// autobinds a fresh abstract one (unix_bind, unix_autobind).
func (u *unixSocket) Bind(ctx Context, a abi.Sockaddr) error {
	if err := checkAddr(a); err != nil {
		return err
	}
	s := u.stack
	switch {
	case a.Path == "":
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		if u.name != "" {
			return abi.EINVAL
		}
		return u.autobindLocked()
	case a.Path[0] == 0:
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		if u.name != "" {
			return abi.EINVAL
		}
		if _, taken := s.abstract[a.Path]; taken {
			return abi.EADDRINUSE
		}
		s.abstract[a.Path] = u
		u.name = a.Path
		return nil
	}
	r, err := ctx.Resolver(abi.AT_FDCWD, a.Path)
	if err != nil {
		return err
	}
	// The file comes first: a name in use is EADDRINUSE even for a
	// socket that is bound already (unix_bind_bsd).
	if err := s.vfs.Mknod(r, a.Path, abi.S_IFSOCK|(0o777&^ctx.Umask()), 0, ""); err != nil {
		if err == abi.EEXIST {
			return abi.EADDRINUSE
		}
		return err
	}
	_, attr, err := s.vfs.Lookup(r, a.Path, false)
	if err != nil {
		return err
	}
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	if u.name != "" {
		s.vfs.Unlink(r, a.Path, false)
		return abi.EINVAL
	}
	key := inodeKey{attr.Dev, attr.Ino}
	s.bound[key] = u
	u.name, u.key = a.Path, key
	return nil
}

// autobindLocked gives an unbound socket a fresh abstract name: five
// hex digits (unix_autobind).
func (u *unixSocket) autobindLocked() error {
	s := u.stack
	if u.name != "" {
		return nil
	}
	for range 1 << 20 {
		s.autobind = (s.autobind + 1) & 0xfffff
		name := autobindPrefix + fmt.Sprintf("%05x", s.autobind)
		if _, taken := s.abstract[name]; !taken {
			s.abstract[name] = u
			u.name = name
			return nil
		}
	}
	return abi.ENOSPC
}

// find returns the socket bound to address a that a socket of type typ
// may reach: ECONNREFUSED if none is bound there, or a socket of another
// type in the abstract namespace; for a path, ENOENT and the other path
// errors, EACCES without write permission, ECONNREFUSED for a file that
// is no bound socket and EPROTOTYPE for a socket of another type
// (unix_find_bsd, unix_find_abstract).
func (u *unixSocket) find(ctx Context, a abi.Sockaddr, typ int) (*unixSocket, error) {
	s := u.stack
	if a.Path == "" {
		return nil, abi.EINVAL
	}
	if a.Path[0] == 0 {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		o := s.abstract[a.Path]
		if o == nil || o.typ != typ || o.closed {
			return nil, abi.ECONNREFUSED
		}
		return o, nil
	}
	r, err := ctx.Resolver(abi.AT_FDCWD, a.Path)
	if err != nil {
		return nil, err
	}
	_, attr, err := s.vfs.Lookup(r, a.Path, true)
	if err != nil {
		return nil, err
	}
	if err := vfs.CheckAccess(ctx.Creds(), &attr, vfs.MayWrite); err != nil {
		return nil, err
	}
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	o := s.bound[inodeKey{attr.Dev, attr.Ino}]
	switch {
	case attr.Type() != abi.S_IFSOCK || o == nil || o.closed:
		return nil, abi.ECONNREFUSED
	case o.typ != typ:
		return nil, abi.EPROTOTYPE
	}
	return o, nil
}

// Listen implements Socket (unix_listen).
func (u *unixSocket) Listen(ctx Context, backlog int) error {
	if u.typ == abi.SOCK_DGRAM {
		return abi.EOPNOTSUPP
	}
	s := u.stack
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	if u.name == "" || u.connected {
		return abi.EINVAL
	}
	u.listening = true
	u.maxBacklog = min(max(backlog, 0), abi.SOMAXCONN)
	u.cred = ucred(ctx)
	notify(u)
	return nil
}

// Connect implements Socket. A stream or seqpacket socket queues a new
// server end on the listener and is connected at once (unix_stream_connect);
// a datagram socket takes its default destination, or drops it for
// AF_UNSPEC (unix_dgram_connect).
func (u *unixSocket) Connect(ctx Context, a abi.Sockaddr, nonblock bool) error {
	s := u.stack
	if u.typ == abi.SOCK_DGRAM {
		if a.Family == abi.AF_UNSPEC {
			s.unixMu.Lock()
			u.peer = nil
			s.unixMu.Unlock()
			return nil
		}
		if err := checkAddr(a); err != nil {
			return err
		}
		o, err := u.find(ctx, a, u.typ)
		if err != nil {
			return err
		}
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		if u.passcred {
			u.autobindLocked()
		}
		u.peer = o
		return nil
	}
	if err := checkAddr(a); err != nil {
		return err
	}
	s.unixMu.Lock()
	switch {
	case u.listening:
		s.unixMu.Unlock()
		return abi.EINVAL
	case u.connected:
		s.unixMu.Unlock()
		return abi.EISCONN
	}
	s.unixMu.Unlock()
	o, err := u.find(ctx, a, u.typ)
	if err != nil {
		return err
	}
	me := ucred(ctx)
	return wait(ctx, &o.q, abi.POLLOUT|abi.POLLIN, nonblock, time.Time{}, func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		switch {
		case u.connected:
			return abi.EISCONN
		case !o.listening || o.closed:
			return abi.ECONNREFUSED
		case len(o.backlog) > o.maxBacklog:
			return abi.EAGAIN
		}
		if u.passcred {
			u.autobindLocked()
		}
		srv := newUnix(s, u.typ)
		srv.name = o.name
		srv.cred, srv.peerCred = o.cred, &me
		srv.passcred = o.passcred
		srv.peer, srv.connected = u, true
		u.peer, u.connected = srv, true
		u.cred = me
		lc := o.cred
		u.peerCred = &lc
		o.backlog = append(o.backlog, srv)
		notify(o, u)
		return nil
	})
}

// Accept implements Socket.
func (u *unixSocket) Accept(ctx Context, nonblock bool) (Socket, abi.Sockaddr, error) {
	s := u.stack
	var srv *unixSocket
	err := wait(ctx, &u.q, abi.POLLIN, nonblock, u.deadline(true), func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		switch {
		case !u.listening:
			return abi.EINVAL
		case len(u.backlog) == 0:
			return abi.EAGAIN
		}
		srv = u.backlog[0]
		u.backlog = u.backlog[1:]
		return nil
	})
	if err != nil {
		return nil, abi.Sockaddr{}, err
	}
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	var from abi.Sockaddr
	if srv.peer != nil {
		from = srv.peer.sockaddr()
	} else {
		from = abi.Sockaddr{Family: abi.AF_UNIX}
	}
	notify(u)
	return srv, from, nil
}

// deadline is when a receive (or a send) gives up, for SO_RCVTIMEO and
// SO_SNDTIMEO; zero waits for ever.
func (u *unixSocket) deadline(recv bool) time.Time {
	u.stack.unixMu.Lock()
	d := u.sndtimeo
	if recv {
		d = u.rcvtimeo
	}
	u.stack.unixMu.Unlock()
	if d == 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// Send implements Socket.
func (u *unixSocket) Send(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	nonblock = nonblock || flags&abi.MSG_DONTWAIT != 0
	if m.Addr != nil {
		if err := checkAddr(*m.Addr); err != nil {
			return 0, err
		}
	}
	if m.Creds != nil {
		// Only a privileged sender speaks for another process
		// (scm_check_creds).
		me := ucred(ctx)
		if (m.Creds.Pid != me.Pid || m.Creds.UID != me.UID || m.Creds.GID != me.GID) && !ctx.Creds().Root() {
			return 0, abi.EPERM
		}
	}
	if u.typ == abi.SOCK_DGRAM {
		return u.sendDgram(ctx, data, m, nonblock)
	}
	return u.sendStream(ctx, data, m, nonblock)
}

// creds are the credentials a message carries to o: the sender's own
// when it gave none and either side asked for them.
func (u *unixSocket) credsFor(ctx Context, o *unixSocket, m *Message) *abi.Ucred {
	if m.Creds != nil {
		c := *m.Creds
		return &c
	}
	if o.passcred || u.passcred {
		c := ucred(ctx)
		return &c
	}
	return nil
}

func (u *unixSocket) sendDgram(ctx Context, data []byte, m *Message, nonblock bool) (int, error) {
	s := u.stack
	var to *unixSocket
	if m.Addr != nil {
		var err error
		if to, err = u.find(ctx, *m.Addr, u.typ); err != nil {
			return 0, err
		}
	} else {
		s.unixMu.Lock()
		to = u.peer
		s.unixMu.Unlock()
		if to == nil {
			return 0, abi.ENOTCONN
		}
	}
	if len(data) > u.sndbuf {
		return 0, abi.EMSGSIZE
	}
	// A full receiver makes room as it reads, and says so on its queue.
	err := wait(ctx, &to.q, abi.POLLOUT, nonblock, u.deadline(false), func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		switch {
		case to.closed:
			if to == u.peer {
				u.peer = nil
			}
			return abi.ECONNREFUSED
		case to.peer != nil && to.peer != u:
			// A datagram socket connected elsewhere takes nothing
			// from others (unix_may_send).
			return abi.EPERM
		case to.shutdown&shutRcv != 0:
			return abi.EPIPE
		case len(to.recvq) >= maxDgramQueue:
			return abi.EAGAIN
		}
		if u.passcred || to.passcred {
			u.autobindLocked()
		}
		to.recvq = append(to.recvq, segment{data: append([]byte(nil), data...), from: u.name, sender: u,
			rights: m.Rights, creds: u.credsFor(ctx, to, m)})
		to.queued += len(data)
		u.unread += len(data)
		m.Rights = nil
		notify(to)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(data), nil
}

func (u *unixSocket) sendStream(ctx Context, data []byte, m *Message, nonblock bool) (int, error) {
	s := u.stack
	s.unixMu.Lock()
	switch {
	case m.Addr != nil && u.connected:
		s.unixMu.Unlock()
		return 0, abi.EISCONN
	case m.Addr != nil:
		s.unixMu.Unlock()
		return 0, abi.EOPNOTSUPP
	case u.err != nil:
		err := u.err
		u.err = nil
		s.unixMu.Unlock()
		return 0, err
	case !u.connected:
		s.unixMu.Unlock()
		return 0, abi.ENOTCONN
	}
	s.unixMu.Unlock()
	if u.typ == abi.SOCK_SEQPACKET && len(data) > u.sndbuf {
		return 0, abi.EMSGSIZE
	}
	if !nonblock && vfs.Trying(ctx) {
		// A blocking send that does not fit now must not send part of
		// itself before it sleeps.
		s.unixMu.Lock()
		fits := u.peer != nil && u.peer.rcvbuf-u.peer.queued >= len(data)
		s.unixMu.Unlock()
		if !fits {
			return 0, vfs.ErrMustBlock
		}
	}
	sent := 0
	first := true
	deadline := u.deadline(false)
	err := wait(ctx, &u.q, abi.POLLOUT, nonblock, deadline, func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		o := u.peer
		if u.shutdown&shutSend != 0 || o == nil || o.closed || o.shutdown&shutRcv != 0 {
			return abi.EPIPE
		}
		for sent < len(data) || first && len(data) == 0 {
			room := o.rcvbuf - o.queued
			if u.typ == abi.SOCK_SEQPACKET && room < len(data) || room <= 0 {
				return abi.EAGAIN
			}
			n := min(len(data)-sent, room)
			seg := segment{data: append([]byte(nil), data[sent:sent+n]...), sender: u}
			if first {
				seg.rights, seg.creds = m.Rights, u.credsFor(ctx, o, m)
				m.Rights = nil
				first = false
			}
			o.recvq = append(o.recvq, seg)
			o.queued += n
			u.unread += n
			sent += n
			notify(o)
			if len(data) == 0 {
				break
			}
		}
		return nil
	})
	if sent > 0 {
		return sent, nil
	}
	return 0, err
}

// Recv implements Socket.
func (u *unixSocket) Recv(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	nonblock = nonblock || flags&abi.MSG_DONTWAIT != 0
	s := u.stack
	s.unixMu.Lock()
	if u.listening {
		s.unixMu.Unlock()
		return 0, abi.EINVAL
	}
	s.unixMu.Unlock()
	if u.typ == abi.SOCK_STREAM {
		return u.recvStream(ctx, data, m, flags, nonblock)
	}
	var n int
	err := wait(ctx, &u.q, abi.POLLIN, nonblock, u.deadline(true), func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		if len(u.recvq) == 0 {
			if u.err != nil {
				err := u.err
				u.err = nil
				return err
			}
			if u.typ == abi.SOCK_SEQPACKET && (u.shutdown&shutRcv != 0 || u.peer == nil && u.connected) {
				return nil // end of file
			}
			if u.typ == abi.SOCK_SEQPACKET && !u.connected {
				return abi.ENOTCONN
			}
			return abi.EAGAIN
		}
		seg := u.recvq[0]
		n = copy(data, seg.data)
		if len(seg.data) > len(data) {
			m.Flags |= abi.MSG_TRUNC
			if flags&abi.MSG_TRUNC != 0 {
				n = len(seg.data)
			}
		}
		if u.typ == abi.SOCK_SEQPACKET {
			m.Flags |= abi.MSG_EOR
		} else if seg.from != "" {
			m.Addr = &abi.Sockaddr{Family: abi.AF_UNIX, Path: seg.from}
		}
		if flags&abi.MSG_PEEK == 0 {
			u.recvq = u.recvq[1:]
			u.queued -= len(seg.data)
			seg.sender.unread -= len(seg.data)
			m.Rights, m.Creds = seg.rights, seg.creds
			// Room for senders: those of a datagram wait on this
			// queue, a seqpacket peer on its own.
			notify(u, u.peer)
		} else {
			m.Rights = refs(seg.rights)
			m.Creds = seg.creds
		}
		return nil
	})
	return n, err
}

// refs takes a reference to each file, for a peek that passes them on
// while the queue keeps them.
func refs(fs []*vfs.File) []*vfs.File {
	for _, f := range fs {
		f.IncRef()
	}
	return append([]*vfs.File(nil), fs...)
}

func (u *unixSocket) recvStream(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error) {
	s := u.stack
	if flags&abi.MSG_WAITALL != 0 && !nonblock && vfs.Trying(ctx) {
		// It would take part and then sleep for the rest.
		return 0, vfs.ErrMustBlock
	}
	got := 0
	err := wait(ctx, &u.q, abi.POLLIN, nonblock, u.deadline(true), func() error {
		s.unixMu.Lock()
		defer s.unixMu.Unlock()
		peek := flags&abi.MSG_PEEK != 0
		i := 0
		for got < len(data) && i < len(u.recvq) {
			seg := &u.recvq[i]
			if got > 0 && (seg.rights != nil || seg.creds != nil && m.Creds == nil) {
				// What a segment carries is read with its own
				// bytes (unix_stream_read_generic).
				break
			}
			if seg.rights != nil || seg.creds != nil {
				if peek {
					m.Rights = refs(seg.rights)
				} else {
					m.Rights = seg.rights
					seg.rights = nil
				}
				m.Creds = seg.creds
			}
			k := copy(data[got:], seg.data)
			got += k
			if peek {
				i++
				continue
			}
			seg.data = seg.data[k:]
			u.queued -= k
			seg.sender.unread -= k
			if len(seg.data) == 0 {
				u.recvq = u.recvq[1:]
			}
			if m.Rights != nil {
				break
			}
		}
		if got > 0 && !peek && u.peer != nil {
			notify(u.peer)
		}
		switch {
		case got == len(data) || got > 0 && flags&abi.MSG_WAITALL == 0:
			return nil
		case u.err != nil && got == 0:
			err := u.err
			u.err = nil
			return err
		case u.shutdown&shutRcv != 0 || u.connected && (u.peer == nil || u.peer.closed):
			return nil // end of file
		case !u.connected && got == 0:
			return abi.EINVAL
		}
		return abi.EAGAIN
	})
	if got > 0 {
		return got, nil
	}
	return 0, err
}

// Shutdown implements Socket (unix_shutdown): this end stops receiving
// or sending, and its peer sees the other half.
func (u *unixSocket) Shutdown(how int) error {
	if how < abi.SHUT_RD || how > abi.SHUT_RDWR {
		return abi.EINVAL
	}
	s := u.stack
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	if !u.connected && u.peer == nil {
		return abi.ENOTCONN
	}
	mode := how + 1 // SHUT_RD is RCV_SHUTDOWN, SHUT_WR SEND_SHUTDOWN
	u.shutdown |= mode
	if o := u.peer; o != nil && u.typ != abi.SOCK_DGRAM {
		peerMode := 0
		if mode&shutRcv != 0 {
			peerMode |= shutSend
		}
		if mode&shutSend != 0 {
			peerMode |= shutRcv
		}
		o.shutdown |= peerMode
		notify(o)
	}
	notify(u)
	return nil
}

// Release implements vfs.Releaser: the socket's name goes, pending
// connections are dropped, and the peer sees the end (unix_release_sock):
// it reads to the end of what was sent, then end of file; a stream peer
// whose data this end never read gets ECONNRESET.
func (u *unixSocket) Release() {
	s := u.stack
	s.unixMu.Lock()
	u.closed = true
	if u.name != "" {
		if u.name[0] == 0 {
			delete(s.abstract, u.name)
		} else if s.bound[u.key] == u {
			delete(s.bound, u.key)
		}
	}
	var drop []*vfs.File
	for _, seg := range u.recvq {
		drop = append(drop, seg.rights...)
		seg.sender.unread -= len(seg.data)
	}
	unread := u.queued > 0
	u.recvq, u.queued = nil, 0
	pending := u.backlog
	u.backlog = nil
	o := u.peer
	if o != nil && u.typ != abi.SOCK_DGRAM {
		o.shutdown = shutBoth
		if unread && u.typ == abi.SOCK_STREAM {
			o.err = abi.ECONNRESET
		}
	}
	s.unixMu.Unlock()
	for _, f := range drop {
		f.DecRef()
	}
	for _, p := range pending {
		p.Release()
	}
	notify(o)
}

// queueLen implements Socket (unix_ioctl, unix_inq_len): all that is
// queued, or for a datagram socket the next datagram,
// and what this socket sent that is not yet received (Linux counts the
// buffers' true sizes there, paddock the bytes).
func (u *unixSocket) queueLen(out bool) (int, error) {
	s := u.stack
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	switch {
	case u.listening:
		return 0, abi.EINVAL
	case out:
		return u.unread, nil
	case u.typ != abi.SOCK_DGRAM:
		return u.queued, nil
	case len(u.recvq) > 0:
		return len(u.recvq[0].data), nil
	}
	return 0, nil
}

// Readiness implements vfs.Poller (unix_poll, unix_dgram_poll).
func (u *unixSocket) Readiness(mask uint32) uint32 {
	s := u.stack
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	var r uint32
	if u.err != nil {
		r |= abi.POLLERR
	}
	if u.listening {
		if len(u.backlog) > 0 {
			r |= abi.POLLIN | abi.POLLRDNORM
		}
		return r & (mask | abi.POLLERR | abi.POLLHUP)
	}
	if u.shutdown == shutBoth {
		r |= abi.POLLHUP
	}
	if u.shutdown&shutRcv != 0 {
		r |= abi.POLLRDHUP | abi.POLLIN | abi.POLLRDNORM
	}
	if len(u.recvq) > 0 {
		r |= abi.POLLIN | abi.POLLRDNORM
	}
	if u.typ != abi.SOCK_DGRAM && !u.connected {
		r |= abi.POLLHUP
	}
	writable := true
	if o := u.peer; o != nil {
		if u.typ == abi.SOCK_DGRAM {
			writable = o.closed || len(o.recvq) < maxDgramQueue || o.peer != nil && o.peer != u
		} else {
			writable = o.closed || o.queued < o.rcvbuf
		}
	}
	if writable {
		r |= abi.POLLOUT | abi.POLLWRNORM | abi.POLLWRBAND
	}
	return r & (mask | abi.POLLERR | abi.POLLHUP)
}

// Queue implements vfs.Poller.
func (u *unixSocket) Queue() *vfs.Queue { return &u.q }

// Read implements vfs.FileOps: a recv without flags.
func (u *unixSocket) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	var m Message
	n, err := u.Recv(ctx.(Context), dst, &m, 0, f.NonBlocking())
	for _, r := range m.Rights {
		r.DecRef()
	}
	return n, err
}

// Write implements vfs.FileOps: a send without flags.
func (u *unixSocket) Write(ctx vfs.Context, f *vfs.File, src []byte, _ int64) (int, error) {
	return u.Send(ctx.(Context), src, &Message{}, 0, f.NonBlocking())
}

// GetSockOpt implements Socket.
func (u *unixSocket) GetSockOpt(ctx Context, level, name int) ([]byte, error) {
	if level != abi.SOL_SOCKET {
		return nil, abi.EOPNOTSUPP
	}
	s := u.stack
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	switch name {
	case abi.SO_TYPE:
		return intOpt(u.typ), nil
	case abi.SO_DOMAIN:
		return intOpt(abi.AF_UNIX), nil
	case abi.SO_PROTOCOL:
		return intOpt(0), nil
	case abi.SO_ACCEPTCONN:
		return intOpt(boolInt(u.listening)), nil
	case abi.SO_ERROR:
		code := 0
		if e, ok := u.err.(abi.Errno); ok {
			code = int(e)
		}
		u.err = nil
		return intOpt(code), nil
	case abi.SO_PASSCRED:
		return intOpt(boolInt(u.passcred)), nil
	case abi.SO_PEERCRED:
		if u.peerCred == nil {
			// No peer: Linux reports no pid and the overflow ids.
			return abi.Ucred{Pid: 0, UID: 65534, GID: 65534}.Encode(), nil
		}
		return u.peerCred.Encode(), nil
	case abi.SO_SNDBUF:
		return intOpt(u.sndbuf), nil
	case abi.SO_RCVBUF:
		return intOpt(u.rcvbuf), nil
	case abi.SO_RCVTIMEO, abi.SO_SNDTIMEO:
		d := u.rcvtimeo
		if name == abi.SO_SNDTIMEO {
			d = u.sndtimeo
		}
		b := make([]byte, abi.SizeofTimeval)
		abi.DurationTimeval(d).Encode(b)
		return b, nil
	case abi.SO_REUSEADDR, abi.SO_KEEPALIVE, abi.SO_BROADCAST, abi.SO_REUSEPORT, abi.SO_OOBINLINE, abi.SO_DONTROUTE:
		return intOpt(u.opts[name]), nil
	case abi.SO_LINGER:
		return make([]byte, abi.SizeofLinger), nil
	}
	return nil, abi.ENOPROTOOPT
}

// SetSockOpt implements Socket.
func (u *unixSocket) SetSockOpt(ctx Context, level, name int, val []byte) error {
	if level != abi.SOL_SOCKET {
		return abi.EOPNOTSUPP
	}
	s := u.stack
	switch name {
	case abi.SO_RCVTIMEO, abi.SO_SNDTIMEO:
		d, err := timeoutOpt(val)
		if err != nil {
			return err
		}
		s.unixMu.Lock()
		if name == abi.SO_RCVTIMEO {
			u.rcvtimeo = d
		} else {
			u.sndtimeo = d
		}
		s.unixMu.Unlock()
		return nil
	case abi.SO_LINGER:
		if len(val) < abi.SizeofLinger {
			return abi.EINVAL
		}
		return nil
	}
	v, err := optInt(val)
	if err != nil {
		return err
	}
	s.unixMu.Lock()
	defer s.unixMu.Unlock()
	switch name {
	case abi.SO_PASSCRED:
		u.passcred = v != 0
	case abi.SO_SNDBUF:
		u.sndbuf = bufSize(v)
	case abi.SO_RCVBUF:
		u.rcvbuf = bufSize(v)
	case abi.SO_REUSEADDR, abi.SO_KEEPALIVE, abi.SO_BROADCAST, abi.SO_REUSEPORT, abi.SO_OOBINLINE, abi.SO_DONTROUTE:
		u.opts[name] = boolInt(v != 0)
	default:
		return abi.ENOPROTOOPT
	}
	return nil
}

// bufSize is what SO_SNDBUF and SO_RCVBUF make of a request: at most the
// limit, doubled, as the kernel keeps room for its bookkeeping, and at
// least the minimum (sock_setsockopt).
func bufSize(v int) int {
	return max(min(v, maxBuf)*2, minBuf)
}

// timeoutOpt decodes SO_RCVTIMEO's and SO_SNDTIMEO's struct timeval.
func timeoutOpt(val []byte) (time.Duration, error) {
	if len(val) < abi.SizeofTimeval {
		return 0, abi.EINVAL
	}
	tv := abi.DecodeTimeval(val)
	if tv.Usec < 0 || tv.Usec >= 1000000 {
		return 0, abi.EDOM
	}
	if tv.Sec < 0 {
		return 0, nil
	}
	return tv.Duration(), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
