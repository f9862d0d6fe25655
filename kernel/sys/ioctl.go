package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// Ioctl implements ioctl(2): the descriptor flags (FIOCLEX, FIONCLEX,
// FIONBIO) here, everything else by the file (terminals, pipes); ENOTTY
// when the file has no such control.
func Ioctl(t *kernel.Task, a kernel.Args) (uint64, error) {
	fd, cmd := a.Int(0), a.Uint(1)
	f, err := file(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch cmd {
	case abi.FIOCLEX:
		return 0, t.FDs().SetCloseOnExec(fd, true)
	case abi.FIONCLEX:
		return 0, t.FDs().SetCloseOnExec(fd, false)
	case abi.FIONBIO:
		var b [4]byte
		if err := t.CopyIn(a[2], b[:]); err != nil {
			return 0, err
		}
		fl := f.Flags() &^ abi.O_NONBLOCK
		if b != [4]byte{} {
			fl |= abi.O_NONBLOCK
		}
		f.SetStatusFlags(fl)
		return 0, nil
	case abi.FIONREAD:
		if at := f.Inode.Attr(); at.IsRegular() {
			n := at.Size - f.Offset()
			return 0, putU32(t, a[2], uint32(max(n, 0)))
		}
	}
	if io, ok := f.Ops.(vfs.Ioctler); ok {
		return io.Ioctl(t, f, cmd, a[2], t)
	}
	return 0, abi.ENOTTY
}
