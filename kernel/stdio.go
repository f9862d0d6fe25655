package kernel

import (
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// hostStream is one of the host's standard files (stdin, stdout, stderr)
// given to the first process as descriptors 0, 1 and 2: the console of the
// guest, the only way guest I/O reaches host files other than through the
// root and binds. Reading goes through a pump: a goroutine copies the host
// file into a pipe once a guest first reads or polls, so that reads can be
// interrupted by signals and polled like any other file.
type hostStream struct {
	f   *os.File
	tty bool

	once sync.Once
	pipe *vfs.Pipe
}

// pumpCtx is the kernel's own context for the pump: it sleeps without
// being interrupted.
type pumpCtx struct{}

func (pumpCtx) Creds() *vfs.Creds { return &vfs.Creds{} }
func (pumpCtx) Block(w *vfs.Waiter, _ time.Time) error {
	<-w.C
	return nil
}

func (h *hostStream) startPump() {
	h.once.Do(func() {
		h.pipe = vfs.NewPipe()
		h.pipe.OpenEnds()
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := h.f.Read(buf)
				if n > 0 {
					if _, werr := h.pipe.Write(pumpCtx{}, buf[:n], false); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			h.pipe.CloseWriter()
		}()
	})
}

func (h *hostStream) IsStream() {}

func hostErrno(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) {
		return abi.Errno(e)
	}
	return abi.EIO
}

func (h *hostStream) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	h.startPump()
	return h.pipe.Read(ctx, dst, f.NonBlocking())
}

func (h *hostStream) Write(_ vfs.Context, _ *vfs.File, src []byte, _ int64) (int, error) {
	n, err := h.f.Write(src)
	if err != nil && n == 0 {
		return 0, hostErrno(err)
	}
	return n, nil
}

// Readiness implements vfs.Poller: writing to the host never waits in
// paddock's view; reading is ready when the pump has data or reached the
// end.
func (h *hostStream) Readiness(mask uint32) uint32 {
	r := uint32(abi.POLLOUT | abi.POLLWRNORM)
	if mask&(abi.POLLIN|abi.POLLRDNORM) != 0 {
		h.startPump()
		r |= h.pipe.Readiness()
	}
	return r & (mask | abi.POLLHUP | abi.POLLERR)
}

// Queue implements vfs.Poller.
func (h *hostStream) Queue() *vfs.Queue {
	h.startPump()
	return h.pipe.WaitQueue()
}

// Ioctl forwards the terminal ioctls a program asks of its console to the
// host terminal, and answers ENOTTY when the host file is not one.
func (h *hostStream) Ioctl(_ vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	if cmd == abi.FIONREAD && h.pipe != nil {
		n := uint32(h.pipe.Buffered())
		return 0, mem.CopyOut(arg, []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	}
	if !h.tty {
		return 0, abi.ENOTTY
	}
	fd := int(h.f.Fd())
	switch cmd {
	case abi.TCGETS:
		t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return 0, hostErrno(err)
		}
		at := abi.Termios{Iflag: t.Iflag, Oflag: t.Oflag, Cflag: t.Cflag, Lflag: t.Lflag, Line: t.Line}
		copy(at.Cc[:], t.Cc[:])
		return 0, putTermios(mem, arg, at)
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		at, err := getTermios(mem, arg)
		if err != nil {
			return 0, err
		}
		cur, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return 0, hostErrno(err)
		}
		cur.Iflag, cur.Oflag, cur.Cflag, cur.Lflag, cur.Line = at.Iflag, at.Oflag, at.Cflag, at.Lflag, at.Line
		copy(cur.Cc[:], at.Cc[:])
		req := map[uint32]uint{abi.TCSETS: unix.TCSETS, abi.TCSETSW: unix.TCSETSW, abi.TCSETSF: unix.TCSETSF}[cmd]
		return 0, hostErrno(unix.IoctlSetTermios(fd, req, cur))
	case abi.TIOCGWINSZ:
		w, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		if err != nil {
			return 0, hostErrno(err)
		}
		return 0, putWinsize(mem, arg, abi.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel})
	case abi.TIOCSWINSZ:
		w, err := getWinsize(mem, arg)
		if err != nil {
			return 0, err
		}
		return 0, hostErrno(unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel}))
	}
	return 0, abi.ENOTTY
}

// hostStreamInode reports the host file's type and owner, so that fstat on
// the console says pipe, terminal or file as it would natively.
type hostStreamInode struct {
	vfs.InodeBase
	f *os.File
	h *hostStream
}

// Reopen implements vfs.Reopener: /proc/PID/fd/0 (and /dev/stdin) opens
// the same host stream again.
func (i *hostStreamInode) Reopen(uint32) (vfs.FileOps, error) { return i.h, nil }

func (i *hostStreamInode) Attr() vfs.Attr {
	var st unix.Stat_t
	if err := unix.Fstat(int(i.f.Fd()), &st); err != nil {
		return vfs.Attr{Mode: abi.S_IFCHR | 0o620, Nlink: 1}
	}
	return vfs.Attr{Ino: st.Ino, Dev: st.Dev, Mode: st.Mode, Nlink: st.Nlink, UID: st.Uid, GID: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blocks: st.Blocks, Blksize: st.Blksize,
		Atime: abi.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec},
		Mtime: abi.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec},
		Ctime: abi.Timespec{Sec: st.Ctim.Sec, Nsec: st.Ctim.Nsec}}
}

// stdioStreams keeps one hostStream per host file, so that the pump of
// stdin is shared by everyone who inherits descriptor 0.
var stdioStreams sync.Map

// newHostStreamFile wraps a host standard file, opened with flags.
func newHostStreamFile(f *os.File, flags uint32) *vfs.File {
	v, _ := stdioStreams.LoadOrStore(f, func() *hostStream {
		_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		return &hostStream{f: f, tty: err == nil}
	}())
	h := v.(*hostStream)
	in := &hostStreamInode{f: f, h: h}
	file := vfs.NewFile(vfs.Location{}, in, h, flags)
	a := in.Attr()
	switch a.Mode & abi.S_IFMT {
	case abi.S_IFIFO:
		file.Name = "pipe:[" + strconv.FormatUint(a.Ino, 10) + "]"
	case abi.S_IFSOCK:
		file.Name = "socket:[" + strconv.FormatUint(a.Ino, 10) + "]"
	case abi.S_IFCHR:
		file.Name = "/dev/console"
	default:
		file.Name = "/dev/stdio" + strconv.Itoa(int(f.Fd()))
	}
	return file
}
