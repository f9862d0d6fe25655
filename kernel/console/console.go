// Package console is the guest's view of the host's standard files: the
// first process's descriptors 0, 1 and 2. Reads go through a pump, a
// goroutine that copies the host file into a pipe once the guest first
// reads or polls, so that a read can be interrupted by a signal and polled
// like any other file; writes go straight to the host; a host terminal's
// settings and size are the console's own (the terminal ioctls reach
// it). It is the only way guest I/O reaches host files other than through
// the root and binds.
package console

import (
	"os"
	"strconv"
	"sync"
	"time"

	"paddock/abi"
	"paddock/host"
	"paddock/kernel/vfs"
)

// stream is one host standard file as a guest file's operations.
type stream struct {
	c *host.Console

	once sync.Once
	pipe *vfs.Pipe
}

// pumpCtx is the pump's context: it sleeps without being interrupted.
type pumpCtx struct{}

func (pumpCtx) Creds() *vfs.Creds { return &vfs.Creds{} }
func (pumpCtx) Block(w *vfs.Waiter, _ time.Time) error {
	<-w.C
	return nil
}

func (s *stream) startPump() {
	s.once.Do(func() {
		s.pipe = vfs.NewPipe()
		s.pipe.OpenEnds()
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := s.c.Read(buf)
				if n > 0 {
					if _, werr := s.pipe.Write(pumpCtx{}, buf[:n], false); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			s.pipe.CloseWriter()
		}()
	})
}

// errno converts a host error for the guest; one the host layer does not
// know is an I/O error.
func errno(err error) error {
	if err == nil {
		return nil
	}
	e, _ := host.Errno(err)
	return e
}

func (s *stream) IsStream() {}

func (s *stream) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	s.startPump()
	return s.pipe.Read(ctx, dst, f.NonBlocking())
}

func (s *stream) Write(_ vfs.Context, _ *vfs.File, src []byte, _ int64) (int, error) {
	n, err := s.c.Write(src)
	if err != nil && n == 0 {
		return 0, errno(err)
	}
	return n, nil
}

// Readiness implements vfs.Poller: writing to the host never waits in
// paddock's view; reading is ready when the pump has data or reached the
// end.
func (s *stream) Readiness(mask uint32) uint32 {
	r := uint32(abi.POLLOUT | abi.POLLWRNORM)
	if mask&(abi.POLLIN|abi.POLLRDNORM) != 0 {
		s.startPump()
		r |= s.pipe.Readiness()
	}
	return r & (mask | abi.POLLHUP | abi.POLLERR)
}

// Queue implements vfs.Poller.
func (s *stream) Queue() *vfs.Queue {
	s.startPump()
	return s.pipe.WaitQueue()
}

// Ioctl forwards the terminal ioctls a program asks of its console to the
// host terminal, and answers ENOTTY when the host file is not one.
func (s *stream) Ioctl(_ vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	if cmd == abi.FIONREAD && s.pipe != nil {
		return 0, vfs.PutUint32(mem, arg, uint32(s.pipe.Buffered()))
	}
	if !s.c.IsTerminal() {
		return 0, abi.ENOTTY
	}
	switch cmd {
	case abi.TCGETS:
		t, err := s.c.Termios()
		if err != nil {
			return 0, errno(err)
		}
		return 0, vfs.PutTermios(mem, arg, t)
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		t, err := vfs.GetTermios(mem, arg)
		if err != nil {
			return 0, err
		}
		return 0, errno(s.c.SetTermios(t, cmd))
	case abi.TIOCGWINSZ:
		w, err := s.c.Winsize()
		if err != nil {
			return 0, errno(err)
		}
		return 0, vfs.PutWinsize(mem, arg, w)
	case abi.TIOCSWINSZ:
		w, err := vfs.GetWinsize(mem, arg)
		if err != nil {
			return 0, err
		}
		return 0, errno(s.c.SetWinsize(w))
	}
	return 0, abi.ENOTTY
}

// inode reports the host file's type and owner, so that fstat on the
// console says pipe, terminal or file as it would natively.
type inode struct {
	vfs.InodeBase
	s *stream
}

// Reopen implements vfs.Reopener: /proc/PID/fd/0 (and /dev/stdin) opens
// the same host stream again.
func (i *inode) Reopen(uint32) (vfs.FileOps, error) { return i.s, nil }

func (i *inode) Attr() vfs.Attr {
	st, err := i.s.c.Stat()
	if err != nil {
		return vfs.Attr{Mode: abi.S_IFCHR | 0o620, Nlink: 1}
	}
	return vfs.Attr{Ino: st.Ino, Dev: st.Dev, Mode: st.Mode, Nlink: st.Nlink, UID: st.UID, GID: st.GID,
		Rdev: st.Rdev, Size: st.Size, Blocks: st.Blocks, Blksize: st.Blksize,
		Atime: st.Atime, Mtime: st.Mtime, Ctime: st.Ctime}
}

// Files returns the guest files for the host's stdin, stdout and stderr
// (nil where the host file is nil), opened for reading, writing and
// writing. Several files for one host file share its pump.
func Files(stdin, stdout, stderr *os.File) [3]*vfs.File {
	streams := map[*os.File]*stream{}
	var files [3]*vfs.File
	for fd, hf := range []struct {
		f     *os.File
		flags uint32
	}{{stdin, abi.O_RDONLY}, {stdout, abi.O_WRONLY}, {stderr, abi.O_WRONLY}} {
		if hf.f == nil {
			continue
		}
		s := streams[hf.f]
		if s == nil {
			s = &stream{c: host.NewConsole(hf.f)}
			streams[hf.f] = s
		}
		files[fd] = newFile(s, hf.flags, fd)
	}
	return files
}

// newFile is a guest file for stream s, opened with flags as descriptor
// fd, named as /proc/PID/fd shows it.
func newFile(s *stream, flags uint32, fd int) *vfs.File {
	in := &inode{s: s}
	file := vfs.NewFile(vfs.Location{}, in, s, flags)
	a := in.Attr()
	switch a.Mode & abi.S_IFMT {
	case abi.S_IFIFO:
		file.Name = "pipe:[" + strconv.FormatUint(a.Ino, 10) + "]"
	case abi.S_IFSOCK:
		file.Name = "socket:[" + strconv.FormatUint(a.Ino, 10) + "]"
	case abi.S_IFCHR:
		file.Name = "/dev/console"
	default:
		file.Name = "/dev/stdio" + strconv.Itoa(fd)
	}
	return file
}
