package kernel

import (
	"paddock/abi"
	"paddock/kernel/vfs"
)

// lockRequest turns a struct flock into a lock request on f by t: a POSIX
// lock owned by t's descriptor table, or an OFD lock owned by f.
func (t *Task) lockRequest(f *vfs.File, ofd bool, fl *abi.Flock) (*vfs.Lock, error) {
	if ofd && fl.Pid != 0 {
		// F_OFD_* demand l_pid 0 (fs/locks.c, fcntl_getlk and
		// fcntl_setlk).
		return nil, abi.EINVAL
	}
	start, end, err := vfs.Range(fl.Whence, fl.Start, fl.Len, f.Offset(), f.Inode.Attr().Size)
	if err != nil {
		return nil, err
	}
	r := &vfs.Lock{Kind: vfs.LockPOSIX, Type: fl.Type, Start: start, End: end, Owner: vfs.LockOwner{ID: t.fds, Pid: t.proc.pid}}
	if ofd {
		r.Kind, r.Owner = vfs.LockOFD, vfs.LockOwner{ID: f, Pid: -1}
	}
	return r, nil
}

// GetLock implements F_GETLK and F_OFD_GETLK: fl describes a lock t would
// set; it becomes the first lock in its way, or says F_UNLCK.
func (t *Task) GetLock(f *vfs.File, ofd bool, fl *abi.Flock) error {
	if fl.Type != abi.F_RDLCK && fl.Type != abi.F_WRLCK {
		return abi.EINVAL
	}
	r, err := t.lockRequest(f, ofd, fl)
	if err != nil {
		return err
	}
	c := t.k.vfs.Locks().Test(f, r)
	if c == nil {
		fl.Type = abi.F_UNLCK
		return nil
	}
	*fl = abi.Flock{Type: c.Type, Whence: abi.SEEK_SET, Start: c.Start, Pid: c.Owner.Pid}
	if c.End != vfs.LockEOF {
		fl.Len = c.End - c.Start + 1
	}
	return nil
}

// SetLock implements F_SETLK, F_SETLKW, F_OFD_SETLK and F_OFD_SETLKW.
// The file must be open for reading to take a read lock and for writing
// to take a write lock (EBADF), as Linux's check_fmode_for_setlk says.
func (t *Task) SetLock(f *vfs.File, ofd bool, fl *abi.Flock, wait bool) error {
	switch fl.Type {
	case abi.F_RDLCK:
		if !f.Readable() {
			return abi.EBADF
		}
	case abi.F_WRLCK:
		if !f.Writable() {
			return abi.EBADF
		}
	case abi.F_UNLCK:
	default:
		return abi.EINVAL
	}
	r, err := t.lockRequest(f, ofd, fl)
	if err != nil {
		return err
	}
	return t.k.vfs.Locks().SetRecord(t, f, r, wait)
}

// Flock implements flock(2): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB
// for a conflict to fail with EWOULDBLOCK instead of waiting.
func (t *Task) Flock(f *vfs.File, op uint32) error {
	var typ int16
	switch op &^ abi.LOCK_NB {
	case abi.LOCK_SH:
		typ = abi.F_RDLCK
	case abi.LOCK_EX:
		typ = abi.F_WRLCK
	case abi.LOCK_UN:
		typ = abi.F_UNLCK
	default:
		return abi.EINVAL
	}
	return t.k.vfs.Locks().Flock(t, f, typ, t.proc.pid, op&abi.LOCK_NB == 0)
}
