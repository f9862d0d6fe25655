package host

import (
	"os"

	"golang.org/x/sys/unix"

	"paddock/abi"
)

// Console is one of the host's standard files as a guest's console: a
// file to read and write, and, when it is a terminal, the terminal's
// settings and size.
type Console struct {
	f        *os.File
	terminal bool
}

// NewConsole wraps a host standard file.
func NewConsole(f *os.File) *Console {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return &Console{f: f, terminal: err == nil}
}

// File returns the host file.
func (c *Console) File() *os.File { return c.f }

// IsTerminal reports whether the file is a terminal.
func (c *Console) IsTerminal() bool { return c.terminal }

// Read reads from the file.
func (c *Console) Read(b []byte) (int, error) { return c.f.Read(b) }

// Write writes to the file.
func (c *Console) Write(b []byte) (int, error) { return c.f.Write(b) }

// Termios returns the terminal's settings.
func (c *Console) Termios() (abi.Termios, error) {
	t, err := unix.IoctlGetTermios(int(c.f.Fd()), unix.TCGETS)
	if err != nil {
		return abi.Termios{}, err
	}
	at := abi.Termios{Iflag: t.Iflag, Oflag: t.Oflag, Cflag: t.Cflag, Lflag: t.Lflag, Line: t.Line}
	copy(at.Cc[:], t.Cc[:])
	return at, nil
}

// SetTermios changes the terminal's settings: now (TCSETS), after the
// output drains (TCSETSW), or after that with the input flushed (TCSETSF).
func (c *Console) SetTermios(t abi.Termios, when uint32) error {
	fd := int(c.f.Fd())
	cur, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	cur.Iflag, cur.Oflag, cur.Cflag, cur.Lflag, cur.Line = t.Iflag, t.Oflag, t.Cflag, t.Lflag, t.Line
	copy(cur.Cc[:], t.Cc[:])
	req := map[uint32]uint{abi.TCSETS: unix.TCSETS, abi.TCSETSW: unix.TCSETSW, abi.TCSETSF: unix.TCSETSF}[when]
	return unix.IoctlSetTermios(fd, req, cur)
}

// Winsize returns the terminal's size.
func (c *Console) Winsize() (abi.Winsize, error) {
	w, err := unix.IoctlGetWinsize(int(c.f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return abi.Winsize{}, err
	}
	return abi.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel}, nil
}

// SetWinsize changes the terminal's size.
func (c *Console) SetWinsize(w abi.Winsize) error {
	return unix.IoctlSetWinsize(int(c.f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel})
}

// Stat describes the host file as fstat does, so that the guest sees a
// pipe, a terminal or a file as it would natively.
func (c *Console) Stat() (abi.Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(c.f.Fd()), &st); err != nil {
		return abi.Stat{}, err
	}
	return abi.Stat{Dev: st.Dev, Ino: st.Ino, Nlink: st.Nlink, Mode: st.Mode, UID: st.Uid, GID: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blksize: st.Blksize, Blocks: st.Blocks,
		Atime: abi.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec},
		Mtime: abi.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec},
		Ctime: abi.Timespec{Sec: st.Ctim.Sec, Nsec: st.Ctim.Nsec}}, nil
}
