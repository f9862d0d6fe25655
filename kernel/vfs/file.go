package vfs

import (
	"math"
	"sync"
	"sync/atomic"

	"paddock/abi"
)

// FileOps are the operations of an open file. Offsets are passed explicitly;
// a stream (pipe, terminal, socket) ignores them.
type FileOps interface {
	Read(ctx Context, f *File, dst []byte, off int64) (int, error)
	Write(ctx Context, f *File, src []byte, off int64) (int, error)
}

// Optional FileOps interfaces.
type (
	// Stream marks files without a position: pread and lseek fail with
	// ESPIPE.
	Stream interface{ IsStream() }
	// Positionless marks devices whose reads and writes ignore and never
	// move the file position, while pread still works (the memory and
	// random devices).
	Positionless interface{ IsPositionless() }
	// Releaser is told when the last reference to the file goes.
	Releaser interface{ Release() }
	// Poller reports readiness (POLL* bits) and the queue that announces
	// changes to it.
	Poller interface {
		Readiness(mask uint32) uint32
		Queue() *Queue
	}
	// ContextPoller is a Poller whose readiness depends on who asks
	// (a signalfd reports the caller's pending signals).
	ContextPoller interface {
		ReadinessFor(ctx Context, mask uint32) uint32
	}
	// Ioctler handles ioctl(2); mem gives access to the caller's memory.
	Ioctler interface {
		Ioctl(ctx Context, f *File, cmd uint32, arg uint64, mem Memory) (uint64, error)
	}
	// Syncer implements fsync(2).
	Syncer interface{ Sync() error }
	// Seeker overrides lseek(2) for devices with their own rules: it
	// returns the new position.
	Seeker interface {
		Lseek(cur, off int64, whence int) (int64, error)
	}
	// SharedMapper gives the host memory that holds a file's data, for
	// mmap(MAP_SHARED): every mapping and every read and write of the
	// file then see the same bytes.
	SharedMapper interface {
		MapShared() ([]byte, error)
	}
	// Allocator implements fallocate(2).
	Allocator interface {
		Allocate(mode uint32, off, length int64) error
	}
)

// FileSizeLimiter is a Context with a file size limit (RLIMIT_FSIZE):
// writes to regular files stop at it, and a write that starts at or
// beyond it fails with EFBIG after FileSizeExceeded, as Linux's
// generic_write_check_limits does.
type FileSizeLimiter interface {
	FileSizeLimit() int64
	FileSizeExceeded()
}

// limitWrite cuts src to what ctx may write to f at off.
func (f *File) limitWrite(ctx Context, src []byte, off int64) ([]byte, error) {
	l, ok := ctx.(FileSizeLimiter)
	if !ok || len(src) == 0 || f.Inode == nil {
		return src, nil
	}
	lim := l.FileSizeLimit()
	if lim == math.MaxInt64 {
		return src, nil
	}
	if a := f.Inode.Attr(); !a.IsRegular() {
		return src, nil
	}
	if off >= lim {
		l.FileSizeExceeded()
		return nil, abi.EFBIG
	}
	if int64(len(src)) > lim-off {
		src = src[:lim-off]
	}
	return src, nil
}

// Memory is the caller's address space, for ioctls that pass structures.
type Memory interface {
	CopyIn(addr uint64, b []byte) error
	CopyOut(addr uint64, b []byte) error
}

// File is an open file description: what open(2) creates and dup(2)
// shares.
type File struct {
	// Loc is where the file was opened; anonymous files (pipes) have a
	// nil Mount and a Name instead.
	Loc   Location
	Inode Inode
	Ops   FileOps
	Name  string // for anonymous files: "pipe:[N]", "anon_inode:[eventfd]"

	mu    sync.Mutex // serialises position updates
	off   int64
	flags atomic.Uint32 // access mode and status flags (O_APPEND, O_NONBLOCK ...)

	refs atomic.Int64
	// OnRelease runs after the last reference is dropped (the kernel's
	// lock table releases OFD locks there).
	OnRelease func(*File)
}

// NewFile returns a File with one reference.
func NewFile(loc Location, inode Inode, ops FileOps, flags uint32) *File {
	f := &File{Loc: loc, Inode: inode, Ops: ops}
	f.flags.Store(flags)
	f.refs.Store(1)
	return f
}

// IncRef takes another reference (dup, fork, SCM_RIGHTS).
func (f *File) IncRef() { f.refs.Add(1) }

// DecRef drops a reference; the last one releases the file.
func (f *File) DecRef() {
	if f.refs.Add(-1) != 0 {
		return
	}
	if r, ok := f.Ops.(Releaser); ok {
		r.Release()
	}
	if f.OnRelease != nil {
		f.OnRelease(f)
	}
}

// Released reports whether the last reference to f is gone.
func (f *File) Released() bool { return f.refs.Load() <= 0 }

// Flags returns the access mode and status flags.
func (f *File) Flags() uint32 { return f.flags.Load() }

// SetStatusFlags replaces the flags F_SETFL may change.
func (f *File) SetStatusFlags(fl uint32) {
	for {
		old := f.flags.Load()
		n := old&^abi.SetflMask | fl&abi.SetflMask
		if f.flags.CompareAndSwap(old, n) {
			return
		}
	}
}

// Readable reports whether the file was opened for reading.
func (f *File) Readable() bool {
	m := f.Flags() & abi.O_ACCMODE
	return f.Flags()&abi.O_PATH == 0 && (m == abi.O_RDONLY || m == abi.O_RDWR)
}

// Writable reports whether the file was opened for writing.
func (f *File) Writable() bool {
	m := f.Flags() & abi.O_ACCMODE
	return f.Flags()&abi.O_PATH == 0 && (m == abi.O_WRONLY || m == abi.O_RDWR)
}

// NonBlocking reports O_NONBLOCK.
func (f *File) NonBlocking() bool { return f.Flags()&abi.O_NONBLOCK != 0 }

// IsStream reports whether the file has no position.
func (f *File) IsStream() bool {
	_, ok := f.Ops.(Stream)
	return ok
}

// Offset returns the file position.
func (f *File) Offset() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.off
}

// Read reads at the file position and advances it (read(2)).
func (f *File) Read(ctx Context, dst []byte) (int, error) {
	if _, ok := f.Ops.(Positionless); ok || f.IsStream() {
		return f.Ops.Read(ctx, f, dst, 0)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.Ops.Read(ctx, f, dst, f.off)
	f.off += int64(n)
	return n, err
}

// Write writes at the file position, or at the end with O_APPEND, and
// advances it (write(2)).
func (f *File) Write(ctx Context, src []byte) (int, error) {
	if _, ok := f.Ops.(Positionless); ok || f.IsStream() {
		return f.Ops.Write(ctx, f, src, 0)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	off := f.off
	if f.Flags()&abi.O_APPEND != 0 {
		a := f.Inode.Attr()
		off = a.Size
	}
	src, err := f.limitWrite(ctx, src, off)
	if err != nil {
		return 0, err
	}
	n, err := f.Ops.Write(ctx, f, src, off)
	if n > 0 || err == nil {
		f.off = off + int64(n)
	}
	return n, err
}

// Pread reads at off without moving the position (pread(2)).
func (f *File) Pread(ctx Context, dst []byte, off int64) (int, error) {
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	return f.Ops.Read(ctx, f, dst, off)
}

// Pwrite writes at off without moving the position (pwrite(2)); with
// O_APPEND Linux writes at the end regardless of off.
func (f *File) Pwrite(ctx Context, src []byte, off int64) (int, error) {
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	if f.Flags()&abi.O_APPEND != 0 {
		a := f.Inode.Attr()
		off = a.Size
	}
	src, err := f.limitWrite(ctx, src, off)
	if err != nil {
		return 0, err
	}
	return f.Ops.Write(ctx, f, src, off)
}

// Seek implements lseek(2).
func (f *File) Seek(off int64, whence int) (int64, error) {
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.Ops.(Seeker); ok {
		n, err := s.Lseek(f.off, off, whence)
		if err == nil {
			f.off = n
		}
		return n, err
	}
	var base int64
	switch whence {
	case abi.SEEK_SET:
	case abi.SEEK_CUR:
		base = f.off
	case abi.SEEK_END:
		a := f.Inode.Attr()
		base = a.Size
	case abi.SEEK_DATA, abi.SEEK_HOLE:
		// Every byte is data (holes are not reported): SEEK_DATA stays,
		// SEEK_HOLE goes to the end; past the end both fail with ENXIO.
		a := f.Inode.Attr()
		if off < 0 || off >= a.Size {
			return 0, abi.ENXIO
		}
		if whence == abi.SEEK_HOLE {
			off = a.Size
		}
	default:
		return 0, abi.EINVAL
	}
	n := base + off
	if (off > 0 && n < base) || n < 0 {
		return 0, abi.EINVAL
	}
	f.off = n
	return n, nil
}

// SetOffset sets the position (used by getdents).
func (f *File) setOffset(off int64) { f.off = off }
