package kernel

import (
	"errors"
	"io"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// hostStream is one of the host's standard files (stdin, stdout, stderr)
// given to the first process as descriptors 0, 1 and 2: the console of the
// guest. It is the only way guest I/O reaches host files other than through
// the root and binds.
type hostStream struct {
	f   *os.File
	tty bool
}

func (h *hostStream) IsStream() {}

func hostErrno(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) {
		return abi.Errno(e)
	}
	return abi.EIO
}

func (h *hostStream) Read(_ vfs.Context, _ *vfs.File, dst []byte, _ int64) (int, error) {
	n, err := h.f.Read(dst)
	if err == io.EOF || n > 0 {
		return n, nil
	}
	if err != nil {
		return 0, hostErrno(err)
	}
	return n, nil
}

func (h *hostStream) Write(_ vfs.Context, _ *vfs.File, src []byte, _ int64) (int, error) {
	n, err := h.f.Write(src)
	if err != nil && n == 0 {
		return 0, hostErrno(err)
	}
	return n, nil
}

// Ioctl forwards the terminal ioctls a program asks of its console to the
// host terminal, and answers ENOTTY when the host file is not one.
func (h *hostStream) Ioctl(_ vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
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
		b := make([]byte, abi.SizeofTermios)
		at.Encode(b)
		return 0, mem.CopyOut(arg, b)
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		b := make([]byte, abi.SizeofTermios)
		if err := mem.CopyIn(arg, b); err != nil {
			return 0, err
		}
		at := abi.DecodeTermios(b)
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
		b := make([]byte, abi.SizeofWinsize)
		abi.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel}.Encode(b)
		return 0, mem.CopyOut(arg, b)
	case abi.TIOCSWINSZ:
		b := make([]byte, abi.SizeofWinsize)
		if err := mem.CopyIn(arg, b); err != nil {
			return 0, err
		}
		w := abi.DecodeWinsize(b)
		return 0, hostErrno(unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel}))
	}
	return 0, abi.ENOTTY
}

// hostStreamInode reports the host file's type and owner, so that fstat on
// the console says pipe, terminal or file as it would natively.
type hostStreamInode struct {
	vfs.InodeBase
	f *os.File
}

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

// newHostStreamFile wraps a host standard file, opened with flags.
func newHostStreamFile(f *os.File, flags uint32) *vfs.File {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	h := &hostStream{f: f, tty: err == nil}
	in := &hostStreamInode{f: f}
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
