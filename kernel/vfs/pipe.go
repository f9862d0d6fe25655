package vfs

import (
	"sync"
	"time"

	"paddock/abi"
)

// Pipe sizes (fs/pipe.c): 16 pages by default, at most pipe-max-size
// (1 MiB) for unprivileged callers; writes of at most PIPE_BUF bytes are
// atomic.
const (
	PipeDefaultSize = 16 * abi.PageSize
	PipeMaxSize     = 1 << 20
	PipeBuf         = 4096
)

// Pipe is the buffer behind pipe(2) and FIFOs.
type Pipe struct {
	mu      sync.Mutex
	buf     []byte // ring buffer of capacity size
	start   int
	n       int
	size    int
	readers int
	writers int
	// Counters of opens, for the blocking FIFO open rules.
	rOpens, wOpens int
	q              Queue
}

// NewPipe returns an empty pipe with the default capacity.
func NewPipe() *Pipe {
	return &Pipe{size: PipeDefaultSize}
}

// Size returns the capacity (F_GETPIPE_SZ).
func (p *Pipe) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// SetSize changes the capacity (F_SETPIPE_SZ): rounded up to a power-of-two
// number of pages; EBUSY if the data would not fit; EPERM above the maximum
// without privilege.
func (p *Pipe) SetSize(n int, privileged bool) (int, error) {
	if n <= 0 {
		return 0, abi.EINVAL
	}
	size := abi.PageSize
	for size < n {
		size <<= 1
		if size <= 0 {
			return 0, abi.EINVAL
		}
	}
	if size > PipeMaxSize && !privileged {
		return 0, abi.EPERM
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n > size {
		return 0, abi.EBUSY
	}
	nb := make([]byte, size)
	p.copyOut(nb[:p.n])
	p.buf, p.start, p.size = nb, 0, size
	return size, nil
}

// copyOut copies the first len(dst) buffered bytes into dst without
// consuming them.
func (p *Pipe) copyOut(dst []byte) {
	if p.buf == nil {
		return
	}
	k := copy(dst, p.buf[p.start:min(p.start+len(dst), len(p.buf))])
	copy(dst[k:], p.buf[:len(dst)-k])
}

// Buffered returns the bytes waiting to be read (FIONREAD).
func (p *Pipe) Buffered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *Pipe) read(ctx Context, dst []byte, nonblock bool) (int, error) {
	w := NewWaiter()
	for {
		p.mu.Lock()
		if p.n > 0 {
			k := min(len(dst), p.n)
			p.copyOut(dst[:k])
			p.start = (p.start + k) % len(p.buf)
			p.n -= k
			p.mu.Unlock()
			p.q.Notify(abi.POLLOUT)
			return k, nil
		}
		if p.writers == 0 {
			p.mu.Unlock()
			return 0, nil
		}
		if nonblock {
			p.mu.Unlock()
			return 0, abi.EAGAIN
		}
		p.q.Add(w, abi.POLLIN|abi.POLLHUP)
		p.mu.Unlock()
		err := ctx.Block(w, time.Time{})
		p.q.Remove(w)
		if err != nil {
			return 0, err
		}
	}
}

func (p *Pipe) write(ctx Context, src []byte, nonblock bool) (int, error) {
	w := NewWaiter()
	done := 0
	for {
		p.mu.Lock()
		if p.readers == 0 {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, abi.EPIPE
		}
		if p.buf == nil {
			p.buf = make([]byte, p.size)
		}
		room := p.size - p.n
		rest := len(src) - done
		// A write of at most PIPE_BUF bytes goes in whole or waits.
		if room > 0 && (len(src) > PipeBuf || room >= rest) {
			k := min(room, rest)
			end := (p.start + p.n) % len(p.buf)
			c := copy(p.buf[end:], src[done:done+k])
			copy(p.buf, src[done+c:done+k])
			p.n += k
			done += k
			p.mu.Unlock()
			p.q.Notify(abi.POLLIN)
			if done == len(src) {
				return done, nil
			}
			continue
		}
		if nonblock {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, abi.EAGAIN
		}
		p.q.Add(w, abi.POLLOUT|abi.POLLERR)
		p.mu.Unlock()
		if err := ctx.Block(w, time.Time{}); err != nil {
			p.q.Remove(w)
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		p.q.Remove(w)
	}
}

func (p *Pipe) readiness(read, write bool) uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if read {
		if p.n > 0 {
			r |= abi.POLLIN | abi.POLLRDNORM
		}
		if p.writers == 0 && p.wOpens > 0 {
			r |= abi.POLLHUP
		}
	}
	if write {
		if p.size-p.n >= PipeBuf || (p.size-p.n > 0 && p.size < PipeBuf) {
			r |= abi.POLLOUT | abi.POLLWRNORM
		}
		if p.readers == 0 {
			r |= abi.POLLERR
		}
	}
	return r
}

// open adds a reader and/or writer.
func (p *Pipe) open(read, write bool) {
	p.mu.Lock()
	if read {
		p.readers++
		p.rOpens++
	}
	if write {
		p.writers++
		p.wOpens++
	}
	p.mu.Unlock()
	p.q.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP | abi.POLLERR)
}

func (p *Pipe) close(read, write bool) {
	p.mu.Lock()
	if read {
		p.readers--
	}
	if write {
		p.writers--
	}
	p.mu.Unlock()
	p.q.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP | abi.POLLERR)
}

// pipeEnd is an open end of a pipe or FIFO.
type pipeEnd struct {
	p           *Pipe
	read, write bool
	onRelease   func()
}

func (e *pipeEnd) IsStream() {}

func (e *pipeEnd) Read(ctx Context, f *File, dst []byte, _ int64) (int, error) {
	if !e.read {
		return 0, abi.EBADF
	}
	if len(dst) == 0 {
		return 0, nil
	}
	return e.p.read(ctx, dst, f.NonBlocking())
}

func (e *pipeEnd) Write(ctx Context, f *File, src []byte, _ int64) (int, error) {
	if !e.write {
		return 0, abi.EBADF
	}
	if len(src) == 0 {
		return 0, nil
	}
	return e.p.write(ctx, src, f.NonBlocking())
}

func (e *pipeEnd) Release() {
	e.p.close(e.read, e.write)
	if e.onRelease != nil {
		e.onRelease()
	}
}

func (e *pipeEnd) Readiness(mask uint32) uint32 {
	return e.p.readiness(e.read, e.write) & (mask | abi.POLLHUP | abi.POLLERR)
}
func (e *pipeEnd) Queue() *Queue { return &e.p.q }

// Ioctl answers FIONREAD.
func (e *pipeEnd) Ioctl(_ Context, _ *File, cmd uint32, arg uint64, mem Memory) (uint64, error) {
	if cmd != abi.FIONREAD {
		return 0, abi.ENOTTY
	}
	n := uint32(e.p.Buffered())
	return 0, mem.CopyOut(arg, []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
}

// PipeOf returns the pipe behind a pipe or FIFO file, or nil.
func PipeOf(f *File) *Pipe {
	if e, ok := f.Ops.(*pipeEnd); ok {
		return e.p
	}
	return nil
}

// pipeInode is the inode of an anonymous pipe (pipefs).
type pipeInode struct {
	InodeBase
	attr Attr
}

func (i *pipeInode) Attr() Attr { return i.attr }

// NewPipeFiles creates an anonymous pipe and returns its read and write
// ends; flags are O_NONBLOCK and O_DIRECT status flags for both.
func (v *VFS) NewPipeFiles(c *Creds, flags uint32) (r, w *File) {
	v.mu.Lock()
	v.pipeIno++
	ino := v.pipeIno
	v.mu.Unlock()
	now := v.Now()
	inode := &pipeInode{attr: Attr{Ino: ino, Dev: pipeDev, Mode: abi.S_IFIFO | 0o600, Nlink: 1, UID: c.UID, GID: c.GID,
		Blksize: abi.PageSize, Atime: now, Mtime: now, Ctime: now}}
	p := NewPipe()
	p.open(true, true)
	name := "pipe:[" + itoa(ino) + "]"
	r = NewFile(Location{}, inode, &pipeEnd{p: p, read: true}, abi.O_RDONLY|flags)
	w = NewFile(Location{}, inode, &pipeEnd{p: p, write: true}, abi.O_WRONLY|flags)
	r.Name, w.Name = name, name
	return r, w
}

// pipeDev is pipefs's device number.
var pipeDev = abi.Makedev(0, 12)

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// openFIFO opens a FIFO inode following fifo_open (fs/pipe.c): a reader
// waits for a writer and a writer for a reader unless O_NONBLOCK (a
// non-blocking writer without readers gets ENXIO); O_RDWR never waits.
func (v *VFS) openFIFO(ctx Context, inode Inode, flags uint32) (FileOps, error) {
	v.mu.Lock()
	p, ok := v.fifos[inode]
	if !ok {
		p = NewPipe()
		v.fifos[inode] = p
	}
	v.mu.Unlock()
	acc := flags & abi.O_ACCMODE
	read := acc == abi.O_RDONLY || acc == abi.O_RDWR
	write := acc == abi.O_WRONLY || acc == abi.O_RDWR
	nonblock := flags&abi.O_NONBLOCK != 0
	if write && !read && nonblock {
		p.mu.Lock()
		noReaders := p.readers == 0
		p.mu.Unlock()
		if noReaders {
			v.dropFIFO(inode, p)
			return nil, abi.ENXIO
		}
	}
	p.open(read, write)
	end := &pipeEnd{p: p, read: read, write: write, onRelease: func() { v.dropFIFO(inode, p) }}
	if read && write || nonblock {
		return end, nil
	}
	// Wait for the other side: a reader for a writer, a writer for a
	// reader; an open that happened since we started counts.
	w := NewWaiter()
	p.mu.Lock()
	startR, startW := p.rOpens, p.wOpens
	for {
		if read && (p.writers > 0 || p.wOpens != startW) || write && (p.readers > 0 || p.rOpens != startR) {
			p.mu.Unlock()
			return end, nil
		}
		p.q.Add(w, abi.POLLIN|abi.POLLOUT|abi.POLLHUP|abi.POLLERR)
		p.mu.Unlock()
		err := ctx.Block(w, time.Time{})
		p.q.Remove(w)
		if err != nil {
			end.Release()
			return nil, err
		}
		p.mu.Lock()
	}
}

// dropFIFO forgets a FIFO's pipe when nobody has it open, so that the next
// open starts empty, as Linux frees the pipe on the last close.
func (v *VFS) dropFIFO(inode Inode, p *Pipe) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p.mu.Lock()
	idle := p.readers == 0 && p.writers == 0
	p.mu.Unlock()
	if idle && v.fifos[inode] == p {
		delete(v.fifos, inode)
	}
}
