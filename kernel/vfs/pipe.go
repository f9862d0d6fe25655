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

// Pipe is the buffer behind pipe(2) and FIFOs. Like Linux's (fs/pipe.c) it
// is a ring of page-sized buffers: a write first tops up the last page if
// the tail of the request fits there, then fills fresh pages, one per free
// slot. That is what makes writes of up to a page atomic and decides how
// many bytes fit before the pipe is full.
type Pipe struct {
	mu      sync.Mutex
	bufs    []pipeBuf // oldest first
	slots   int       // capacity in pages
	readers int
	writers int
	// Counters of opens, for the FIFO open and poll rules.
	rOpens, wOpens int
	q              Queue
}

type pipeBuf struct {
	data   []byte // one page
	off    int
	n      int
	merge  bool // PIPE_BUF_FLAG_CAN_MERGE: not set in packet mode
	packet bool // PIPE_BUF_FLAG_PACKET: written in packet mode (O_DIRECT)
}

// NewPipe returns an empty pipe with the default capacity.
func NewPipe() *Pipe {
	return &Pipe{slots: PipeDefaultSize / abi.PageSize}
}

// Size returns the capacity (F_GETPIPE_SZ).
func (p *Pipe) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slots * abi.PageSize
}

// SetSize changes the capacity (F_SETPIPE_SZ): rounded up to a power-of-two
// number of pages, at least one (round_pipe_size); EINVAL above 2^31; EBUSY
// if the buffered pages would not fit; EPERM above the maximum without
// privilege.
func (p *Pipe) SetSize(n uint32, privileged bool) (int, error) {
	if n > 1<<31 {
		return 0, abi.EINVAL
	}
	size := abi.PageSize
	for size < int(n) {
		size <<= 1
	}
	if size > PipeMaxSize && !privileged {
		return 0, abi.EPERM
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.bufs) > size/abi.PageSize {
		return 0, abi.EBUSY
	}
	p.slots = size / abi.PageSize
	return size, nil
}

// Buffered returns the bytes waiting to be read (FIONREAD).
func (p *Pipe) Buffered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, b := range p.bufs {
		n += b.n
	}
	return n
}

// fitsLocked reports whether a write of n bytes goes in whole now: the
// part that is not a whole number of pages may top up the last page, the
// rest needs free pages.
func (p *Pipe) fitsLocked(n int, packet bool) bool {
	room := (p.slots - len(p.bufs)) * abi.PageSize
	if chars := n & (abi.PageSize - 1); !packet && chars != 0 && len(p.bufs) > 0 {
		if last := &p.bufs[len(p.bufs)-1]; last.merge && last.off+last.n+chars <= abi.PageSize {
			room += chars
		}
	}
	return n <= room
}

// take copies buffered bytes into dst and frees emptied pages. A packet
// (a page a packet-mode writer filled) ends the read, and what of it does
// not fit in dst is dropped, as in Linux's pipe_read.
func (p *Pipe) take(dst []byte) int {
	done := 0
	for done < len(dst) && len(p.bufs) > 0 {
		b := &p.bufs[0]
		k := copy(dst[done:], b.data[b.off:b.off+b.n])
		done += k
		b.off += k
		b.n -= k
		packet := b.packet
		if packet {
			b.n = 0
		}
		if b.n == 0 {
			p.bufs = p.bufs[1:]
		}
		if packet {
			break
		}
	}
	return done
}

func (p *Pipe) read(ctx Context, dst []byte, nonblock bool) (int, error) {
	w := NewWaiter()
	for {
		p.mu.Lock()
		if len(p.bufs) > 0 {
			k := p.take(dst)
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

func (p *Pipe) write(ctx Context, src []byte, nonblock, packet bool) (int, error) {
	w := NewWaiter()
	done := 0
	p.mu.Lock()
	if p.readers == 0 {
		p.mu.Unlock()
		return 0, abi.EPIPE
	}
	if !nonblock && Trying(ctx) && !p.fitsLocked(len(src), packet) {
		// It would write part and sleep for room: nothing is written
		// until the call can sleep.
		p.mu.Unlock()
		return 0, ErrMustBlock
	}
	// Top up the last page with the part of the request that is not a
	// whole number of pages, if it fits entirely.
	if chars := len(src) & (abi.PageSize - 1); chars != 0 && len(p.bufs) > 0 {
		last := &p.bufs[len(p.bufs)-1]
		if end := last.off + last.n; last.merge && end+chars <= abi.PageSize {
			copy(last.data[end:], src[:chars])
			last.n += chars
			done = chars
		}
	}
	for done < len(src) {
		if p.readers == 0 {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, abi.EPIPE
		}
		if len(p.bufs) < p.slots {
			b := pipeBuf{data: make([]byte, abi.PageSize), merge: !packet, packet: packet}
			b.n = copy(b.data, src[done:])
			p.bufs = append(p.bufs, b)
			done += b.n
			continue
		}
		if nonblock {
			p.mu.Unlock()
			if done > 0 {
				p.q.Notify(abi.POLLIN)
				return done, nil
			}
			return 0, abi.EAGAIN
		}
		p.q.Add(w, abi.POLLOUT|abi.POLLERR)
		p.mu.Unlock()
		if done > 0 {
			p.q.Notify(abi.POLLIN)
		}
		err := ctx.Block(w, time.Time{})
		p.q.Remove(w)
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		p.mu.Lock()
	}
	p.mu.Unlock()
	p.q.Notify(abi.POLLIN)
	return done, nil
}

// readiness is pipe_poll: readable with data, writable with a free slot,
// POLLHUP for a reader once every writer that came after it has gone,
// POLLERR for a writer without readers.
func (p *Pipe) readiness(read, write bool, wSeen int) uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if read {
		if len(p.bufs) > 0 {
			r |= abi.POLLIN | abi.POLLRDNORM
		}
		if p.writers == 0 && p.wOpens != wSeen {
			r |= abi.POLLHUP
		}
	}
	if write {
		if len(p.bufs) < p.slots {
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
	p.openLocked(read, write)
	p.mu.Unlock()
	p.q.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP | abi.POLLERR)
}

// openLocked counts a reader and/or writer; the caller notifies the queue
// once it has let go of the lock.
func (p *Pipe) openLocked(read, write bool) {
	if read {
		p.readers++
		p.rOpens++
	}
	if write {
		p.writers++
		p.wOpens++
	}
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
	// wSeen is the pipe's count of writer opens when a non-blocking
	// reader opened a FIFO that had no writer (f_version in Linux): until
	// a writer comes and goes, that reader does not see POLLHUP.
	wSeen     int
	onRelease func()
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
	return e.p.write(ctx, src, f.NonBlocking(), f.Flags()&abi.O_DIRECT != 0)
}

func (e *pipeEnd) Release() {
	e.p.close(e.read, e.write)
	if e.onRelease != nil {
		e.onRelease()
	}
}

func (e *pipeEnd) Readiness(mask uint32) uint32 {
	return e.p.readiness(e.read, e.write, e.wSeen) & (mask | abi.POLLHUP | abi.POLLERR)
}
func (e *pipeEnd) Queue() *Queue { return &e.p.q }

// Ioctl answers FIONREAD.
func (e *pipeEnd) Ioctl(_ Context, _ *File, cmd uint32, arg uint64, mem Memory) (uint64, error) {
	if cmd != abi.FIONREAD {
		return 0, abi.ENOTTY
	}
	return 0, PutUint32(mem, arg, uint32(e.p.Buffered()))
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
	pipe *Pipe // opening the inode again (/proc/PID/fd/N) joins this pipe
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
	inode.pipe = p
	name := "pipe:[" + itoa(ino) + "]"
	// Packet mode belongs to the writer: the read end has no O_DIRECT
	// (create_pipe_files).
	r = NewFile(Location{}, inode, &pipeEnd{p: p, read: true}, abi.O_RDONLY|flags&^abi.O_DIRECT)
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
	acc := flags & abi.O_ACCMODE
	read := acc == abi.O_RDONLY || acc == abi.O_RDWR
	write := acc == abi.O_WRONLY || acc == abi.O_RDWR
	nonblock := flags&abi.O_NONBLOCK != 0
	if pi, ok := inode.(*pipeInode); ok {
		// An anonymous pipe reached through /proc/PID/fd: its own pipe,
		// and no waiting for the other end (fifo_open's is_pipe).
		pi.pipe.open(read, write)
		return &pipeEnd{p: pi.pipe, read: read, write: write}, nil
	}
	a := inode.Attr()
	key := inodeKey{a.Dev, a.Ino}
	// The pipe is found and this end counted in it under the VFS lock,
	// so that the last close of another end cannot drop the pipe from
	// the table in between (fifo_open finds inode->i_pipe under
	// i_lock); the partner's open counts are read under the pipe's lock
	// together with this end's own open, so that a partner that opens
	// and closes again before this end sleeps is still seen
	// (wait_for_partner compares against the count it started from).
	v.mu.Lock()
	p, ok := v.fifos[key]
	if !ok {
		p = NewPipe()
		v.fifos[key] = p
	}
	p.mu.Lock()
	mustWait := !nonblock && !(read && write) && (read && p.writers == 0 || write && p.readers == 0)
	switch {
	case write && !read && nonblock && p.readers == 0:
		p.mu.Unlock()
		v.mu.Unlock()
		v.dropFIFO(key, p)
		return nil, abi.ENXIO
	case mustWait && Trying(ctx):
		// It would wait for the other end: the open happens when the
		// call can sleep.
		p.mu.Unlock()
		v.mu.Unlock()
		return nil, ErrMustBlock
	}
	end := &pipeEnd{p: p, read: read, write: write, onRelease: func() { v.dropFIFO(key, p) }}
	if read && !write && nonblock && p.writers == 0 {
		// POLLHUP waits for a writer to come and go (fifo_open's
		// f_version for a non-blocking reader that found none).
		end.wSeen = p.wOpens
	}
	p.openLocked(read, write)
	startR, startW := p.rOpens, p.wOpens
	p.mu.Unlock()
	v.mu.Unlock()
	p.q.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP | abi.POLLERR)
	if !mustWait {
		return end, nil
	}
	w := NewWaiter()
	p.mu.Lock()
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
func (v *VFS) dropFIFO(key inodeKey, p *Pipe) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p.mu.Lock()
	idle := p.readers == 0 && p.writers == 0
	p.mu.Unlock()
	if idle && v.fifos[key] == p {
		delete(v.fifos, key)
	}
}

// Read reads from the pipe as a reader end would (used by the host console
// pump's consumers).
func (p *Pipe) Read(ctx Context, dst []byte, nonblock bool) (int, error) {
	return p.read(ctx, dst, nonblock)
}

// Write writes into the pipe as a writer end would.
func (p *Pipe) Write(ctx Context, src []byte, nonblock bool) (int, error) {
	return p.write(ctx, src, nonblock, false)
}

// OpenEnds counts a reader and a writer on the pipe; CloseWriter drops the
// writer (end of file for readers).
func (p *Pipe) OpenEnds() { p.open(true, true) }

// CloseWriter drops the writer OpenEnds counted.
func (p *Pipe) CloseWriter() { p.close(false, true) }

// Readiness reports the reader's readiness.
func (p *Pipe) Readiness() uint32 { return p.readiness(true, false, -1) }

// WaitQueue returns the pipe's readiness queue.
func (p *Pipe) WaitQueue() *Queue { return &p.q }
