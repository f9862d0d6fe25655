// Package net is paddock's network: sockets as open files, Unix sockets in
// the kernel (stream, datagram and seqpacket, named in the file system or
// the abstract namespace, passing descriptors and credentials), IPv4 and
// IPv6 sockets on gVisor's netstack, and the table of live sockets
// /proc/net lists. Its sockets are vfs files like
// any other: read, write, poll, epoll, dup, fork and exec see nothing
// special; the socket calls reach them through Socket.
package net

import (
	"strconv"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/stack"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// Context is the task a socket call runs for: its credentials and way of
// sleeping (vfs.Context), its process id (SO_PEERCRED, SCM_CREDENTIALS),
// and how it resolves paths and the umask it creates files with (Unix
// sockets bound to a path).
type Context interface {
	vfs.Context
	TGID() int32
	Resolver(dirfd int32, path string) (*vfs.Resolver, error)
	Umask() uint32
}

// Message is what one send or receive carries besides its bytes.
type Message struct {
	// Addr is, for a send, where to (nil: the connected peer); for a
	// receive, filled with where from when the socket knows.
	Addr *abi.Sockaddr
	// Rights are descriptors passed (SCM_RIGHTS): the files a sender
	// gives, with a reference each, or those a receiver gets.
	Rights []*vfs.File
	// Creds are SCM_CREDENTIALS: given by a sender, or the sender's as
	// a receiver with SO_PASSCRED gets them.
	Creds *abi.Ucred
	// Flags are what a receive reports in msg_flags (MSG_TRUNC,
	// MSG_CTRUNC, MSG_EOR).
	Flags int
	// Control are the other control messages a receive delivers (an IP
	// socket's IP_TTL, IP_PKTINFO, SO_TIMESTAMP ...), in their order.
	Control []abi.Cmsg
}

// Socket is an open socket's operations, beside a file's.
type Socket interface {
	vfs.FileOps
	vfs.Poller
	// Family, Type and Protocol are what socket(2) made it with.
	Family() int
	Type() int
	Protocol() int
	Bind(ctx Context, a abi.Sockaddr) error
	Listen(ctx Context, backlog int) error
	// Accept takes a pending connection: the new socket and its peer's
	// address.
	Accept(ctx Context, nonblock bool) (Socket, abi.Sockaddr, error)
	Connect(ctx Context, a abi.Sockaddr, nonblock bool) error
	// Name and Peer are getsockname(2)'s and getpeername(2)'s.
	Name() abi.Sockaddr
	Peer() (abi.Sockaddr, error)
	// Send sends data (all of it, or as much as the socket takes without
	// waiting when nonblock); Recv fills data and returns how much the
	// message held (more than len(data) for a truncated datagram).
	Send(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error)
	Recv(ctx Context, data []byte, m *Message, flags int, nonblock bool) (int, error)
	Shutdown(how int) error
	GetSockOpt(ctx Context, level, name int) ([]byte, error)
	SetSockOpt(ctx Context, level, name int, val []byte) error
	// queueLen is SIOCINQ's answer, the bytes a receive would take, or
	// with out SIOCOUTQ's, those sent but not yet taken by the peer.
	queueLen(out bool) (int, error)
}

// Stack is one kernel's network.
type Stack struct {
	vfs *vfs.VFS
	ns  *stack.Stack // netstack: AF_INET and AF_INET6

	mu       sync.Mutex
	unixMu   sync.Mutex // guards every Unix socket's state (unix.go)
	nextIno  uint64
	abstract map[string]*unixSocket   // the abstract namespace
	bound    map[inodeKey]*unixSocket // sockets bound to a path, by its inode
	sockets  map[*sockInode]Socket    // every open socket, for /proc/net
	autobind uint32                   // the next autobind name
	router   *router                  // --net nat's, or nil
}

type inodeKey struct{ dev, ino uint64 }

// New returns a kernel's network over its file system namespace.
func New(v *vfs.VFS) *Stack {
	return &Stack{vfs: v, ns: newNetstack(), nextIno: 1 << 16, abstract: map[string]*unixSocket{}, bound: map[inodeKey]*unixSocket{},
		sockets: map[*sockInode]Socket{}}
}

// sockDev is sockfs's device number.
var sockDev = abi.Makedev(0, 8)

// sockInode is a socket's inode in sockfs: what fstat shows
// (S_IFSOCK|0777) and /proc/PID/fd names socket:[N].
type sockInode struct {
	vfs.InodeBase
	attr vfs.Attr
}

func (i *sockInode) Attr() vfs.Attr { return i.attr }

// File makes an open file of a socket (socket(2)'s, accept's); flags are
// SOCK_NONBLOCK's O_NONBLOCK. The file's last close releases the socket.
func (s *Stack) File(sock Socket, creds *vfs.Creds, flags uint32) *vfs.File {
	s.mu.Lock()
	s.nextIno++
	ino := s.nextIno
	now := s.vfs.Now()
	in := &sockInode{attr: vfs.Attr{Ino: ino, Dev: sockDev, Mode: abi.S_IFSOCK | 0o777, Nlink: 1, UID: creds.UID,
		GID: creds.GID, Blksize: abi.PageSize, Atime: now, Mtime: now, Ctime: now}}
	s.sockets[in] = sock
	s.mu.Unlock()
	f := vfs.NewFile(vfs.Location{}, in, &file{Socket: sock, stack: s, inode: in}, abi.O_RDWR|flags&abi.O_NONBLOCK)
	f.Name = "socket:[" + strconv.FormatUint(ino, 10) + "]"
	return f
}

// file is the FileOps of a socket's open file: the socket, and its
// removal from the table at the last close.
type file struct {
	Socket
	stack *Stack
	inode *sockInode
}

func (f *file) IsStream() {}

// Release implements vfs.Releaser.
func (f *file) Release() {
	f.stack.mu.Lock()
	delete(f.stack.sockets, f.inode)
	f.stack.mu.Unlock()
	if r, ok := f.Socket.(vfs.Releaser); ok {
		r.Release()
	}
}

// Of returns the socket behind f, or nil (ENOTSOCK).
func Of(f *vfs.File) Socket {
	if sf, ok := f.Ops.(*file); ok {
		return sf.Socket
	}
	return nil
}

// Ino returns the inode number of a socket's file (socket:[N]).
func Ino(f *vfs.File) uint64 {
	if sf, ok := f.Ops.(*file); ok {
		return sf.inode.attr.Ino
	}
	return 0
}

// NewSocket implements socket(2): a socket of family, type and protocol,
// as an open file. flags are SOCK_NONBLOCK.
func (s *Stack) NewSocket(ctx Context, family, typ, protocol int, flags uint32) (*vfs.File, error) {
	sock, err := s.create(ctx, family, typ, protocol)
	if err != nil {
		return nil, err
	}
	return s.File(sock, ctx.Creds(), flags), nil
}

func (s *Stack) create(ctx Context, family, typ, protocol int) (Socket, error) {
	switch family {
	case abi.AF_UNIX:
		switch typ {
		case abi.SOCK_STREAM, abi.SOCK_DGRAM, abi.SOCK_SEQPACKET:
		case abi.SOCK_RAW:
			typ = abi.SOCK_DGRAM // unix_create: SOCK_RAW is SOCK_DGRAM
		default:
			return nil, abi.ESOCKTNOSUPPORT
		}
		if protocol != 0 && protocol != abi.AF_UNIX {
			return nil, abi.EPROTONOSUPPORT
		}
		return newUnix(s, typ), nil
	case abi.AF_INET, abi.AF_INET6:
		return s.newInet(ctx, family, typ, protocol)
	case abi.AF_NETLINK:
		return s.newNetlink(typ, protocol)
	}
	return nil, abi.EAFNOSUPPORT
}

// NewPair implements socketpair(2): two connected sockets.
func (s *Stack) NewPair(ctx Context, family, typ, protocol int, flags uint32) (*vfs.File, *vfs.File, error) {
	if family != abi.AF_UNIX {
		// Only Unix sockets come in pairs (EOPNOTSUPP from inet's
		// socketpair).
		if family == abi.AF_INET || family == abi.AF_INET6 {
			return nil, nil, abi.EOPNOTSUPP
		}
		return nil, nil, abi.EAFNOSUPPORT
	}
	a, err := s.create(ctx, family, typ, protocol)
	if err != nil {
		return nil, nil, err
	}
	b, _ := s.create(ctx, family, typ, protocol)
	pairUnix(ctx, a.(*unixSocket), b.(*unixSocket))
	return s.File(a, ctx.Creds(), flags), s.File(b, ctx.Creds(), flags), nil
}

// wait runs try until it stops asking to wait (EAGAIN) or, unless
// nonblock, the socket's queue announces a change and try runs again; a
// signal ends the wait (ERESTARTSYS), and so does the deadline (EAGAIN,
// as SO_RCVTIMEO and SO_SNDTIMEO end a call).
func wait(ctx Context, q *vfs.Queue, mask uint32, nonblock bool, deadline time.Time, try func() error) error {
	var w *vfs.Waiter
	for {
		err := try()
		if err != abi.EAGAIN || nonblock {
			if w != nil {
				q.Remove(w)
			}
			return err
		}
		if w == nil {
			w = vfs.NewWaiter()
			q.Add(w, mask)
			continue
		}
		switch err := ctx.Block(w, deadline); err {
		case nil:
		case abi.ETIMEDOUT:
			q.Remove(w)
			return abi.EAGAIN
		default:
			q.Remove(w)
			return err
		}
	}
}

// ucred is the credentials a task passes: its pid and effective ids.
func ucred(ctx Context) abi.Ucred {
	c := ctx.Creds()
	return abi.Ucred{Pid: ctx.TGID(), UID: c.UID, GID: c.GID}
}

// intOpt encodes an int option value.
func intOpt(v int) []byte {
	b := make([]byte, 4)
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	return b
}

// optInt decodes an int option value: EINVAL if shorter than an int.
func optInt(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, abi.EINVAL
	}
	return int(int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)), nil
}
