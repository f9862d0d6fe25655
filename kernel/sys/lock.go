package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// fcntlBlocks says whether an fcntl call may sleep: F_SETLKW and
// F_OFD_SETLKW wait for a lock.
func fcntlBlocks(a kernel.Args) bool {
	cmd := a.Int(1)
	return cmd == abi.F_SETLKW || cmd == abi.F_OFD_SETLKW
}

// flockBlocks says whether a flock call may sleep: without LOCK_NB.
func flockBlocks(a kernel.Args) bool { return a.Uint(1)&abi.LOCK_NB == 0 }

// fcntlLock implements the record-lock commands of fcntl(2): F_GETLK,
// F_SETLK, F_SETLKW and their F_OFD_ forms; lockf(3) is built on them.
func fcntlLock(t *kernel.Task, f *vfs.File, cmd int32, addr uint64) error {
	if f.Flags()&abi.O_PATH != 0 || f.Inode == nil {
		return abi.EBADF
	}
	b := make([]byte, abi.SizeofFlock)
	if err := t.CopyIn(addr, b); err != nil {
		return err
	}
	fl := abi.DecodeFlock(b)
	ofd := cmd == abi.F_OFD_GETLK || cmd == abi.F_OFD_SETLK || cmd == abi.F_OFD_SETLKW
	switch cmd {
	case abi.F_GETLK, abi.F_OFD_GETLK:
		if err := t.GetLock(f, ofd, &fl); err != nil {
			return err
		}
		fl.Encode(b)
		return t.CopyOut(addr, b)
	case abi.F_SETLKW, abi.F_OFD_SETLKW:
		return t.SetLock(f, ofd, &fl, true)
	}
	return t.SetLock(f, ofd, &fl, false)
}

// Flock implements flock(2).
func Flock(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if f.Inode == nil {
		return 0, abi.EBADF
	}
	return 0, t.Flock(f, a.Uint(1))
}
