package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// Getdents64 implements getdents64(2).
func Getdents64(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	n := min(a[2], chunk)
	buf := make([]byte, n)
	k, err := f.Getdents64(buf)
	if err != nil {
		return 0, err
	}
	return uint64(k), t.CopyOut(a[1], buf[:k])
}

// Getcwd implements getcwd(2): ENOENT if the directory was removed,
// ENAMETOOLONG if the path is longer than a page, ERANGE if the buffer is
// too small; a directory outside the root is shown with "(unreachable)" in
// front, as Linux does.
func Getcwd(t *kernel.Task, a kernel.Args) (uint64, error) {
	fs := t.FS()
	cwd := fs.Cwd()
	if cwd.Dentry.Deleted {
		return 0, abi.ENOENT
	}
	p, ok := t.Kernel().VFS().Path(fs.Root(), cwd)
	if !ok {
		p = "(unreachable)" + p
	}
	b := append([]byte(p), 0)
	if len(b) > abi.PageSize {
		return 0, abi.ENAMETOOLONG
	}
	if uint64(len(b)) > a[1] {
		return 0, abi.ERANGE
	}
	return uint64(len(b)), t.CopyOut(a[0], b)
}

func chdirTo(t *kernel.Task, l vfs.Location) error {
	at := l.Dentry.Inode.Attr()
	if !at.IsDir() {
		return abi.ENOTDIR
	}
	if err := vfs.CheckAccess(vcreds(t), &at, vfs.MayExec); err != nil {
		return err
	}
	t.FS().SetCwd(l)
	return nil
}

// Chdir implements chdir(2).
func Chdir(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return boolErr(chdirTo(t, l))
}

// Fchdir implements fchdir(2).
func Fchdir(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := fileRaw(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		return 0, abi.ENOTDIR
	}
	return boolErr(chdirTo(t, f.Loc))
}

// Chroot implements chroot(2): root only.
func Chroot(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	at := l.Dentry.Inode.Attr()
	if !at.IsDir() {
		return 0, abi.ENOTDIR
	}
	if err := vfs.CheckAccess(vcreds(t), &at, vfs.MayExec); err != nil {
		return 0, err
	}
	if c := t.Process().Creds(); !c.Privileged() {
		return 0, abi.EPERM
	}
	t.FS().SetRoot(l)
	return 0, nil
}

func mknodAt(t *kernel.Task, dirfd int32, pathAddr uint64, mode uint32, dev uint64) (uint64, error) {
	r, p, err := pathAt(t, dirfd, pathAddr)
	if err != nil {
		return 0, err
	}
	typ := mode & abi.S_IFMT
	switch typ {
	case 0:
		typ = abi.S_IFREG
	case abi.S_IFREG, abi.S_IFCHR, abi.S_IFBLK, abi.S_IFIFO, abi.S_IFSOCK:
	case abi.S_IFDIR:
		return 0, abi.EPERM
	default:
		return 0, abi.EINVAL
	}
	perm := mode & 0o7777 &^ t.FS().Umask()
	var rdev uint64
	if typ == abi.S_IFCHR || typ == abi.S_IFBLK {
		rdev = dev
	}
	return boolErr(t.Kernel().VFS().Mknod(r, p, typ|perm, rdev, ""))
}

// Mknod implements mknod(2).
func Mknod(t *kernel.Task, a kernel.Args) (uint64, error) {
	return mknodAt(t, abi.AT_FDCWD, a[0], a.Uint(1), decodeDev(a.Uint(2)))
}

// Mknodat implements mknodat(2).
func Mknodat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return mknodAt(t, a.Int(0), a[1], a.Uint(2), decodeDev(a.Uint(3)))
}

// decodeDev decodes the 32-bit dev_t of mknod (new_decode_dev).
func decodeDev(d uint32) uint64 {
	return abi.Makedev((d&0xfff00)>>8, (d&0xff)|((d>>12)&0xfff00))
}

func mkdirAt(t *kernel.Task, dirfd int32, pathAddr uint64, mode uint32) (uint64, error) {
	r, p, err := pathAt(t, dirfd, pathAddr)
	if err != nil {
		return 0, err
	}
	perm := mode & 0o1777 &^ t.FS().Umask()
	return boolErr(t.Kernel().VFS().Mknod(r, p, abi.S_IFDIR|perm, 0, ""))
}

// Mkdir implements mkdir(2).
func Mkdir(t *kernel.Task, a kernel.Args) (uint64, error) {
	return mkdirAt(t, abi.AT_FDCWD, a[0], a.Uint(1))
}

// Mkdirat implements mkdirat(2).
func Mkdirat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return mkdirAt(t, a.Int(0), a[1], a.Uint(2))
}

func unlinkAt(t *kernel.Task, dirfd int32, pathAddr uint64, dir bool) (uint64, error) {
	r, p, err := pathAt(t, dirfd, pathAddr)
	if err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Unlink(r, p, dir))
}

// Rmdir implements rmdir(2).
func Rmdir(t *kernel.Task, a kernel.Args) (uint64, error) {
	return unlinkAt(t, abi.AT_FDCWD, a[0], true)
}

// Unlink implements unlink(2).
func Unlink(t *kernel.Task, a kernel.Args) (uint64, error) {
	return unlinkAt(t, abi.AT_FDCWD, a[0], false)
}

// Unlinkat implements unlinkat(2).
func Unlinkat(t *kernel.Task, a kernel.Args) (uint64, error) {
	flags := a.Uint(2)
	if flags&^abi.AT_REMOVEDIR != 0 {
		return 0, abi.EINVAL
	}
	return unlinkAt(t, a.Int(0), a[1], flags&abi.AT_REMOVEDIR != 0)
}

func renameAt(t *kernel.Task, olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags uint32) (uint64, error) {
	or, op, err := pathAt(t, olddir, oldAddr)
	if err != nil {
		return 0, err
	}
	nr, np, err := pathAt(t, newdir, newAddr)
	if err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Rename(or, op, nr, np, flags))
}

// Rename implements rename(2).
func Rename(t *kernel.Task, a kernel.Args) (uint64, error) {
	return renameAt(t, abi.AT_FDCWD, a[0], abi.AT_FDCWD, a[1], 0)
}

// Renameat implements renameat(2).
func Renameat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return renameAt(t, a.Int(0), a[1], a.Int(2), a[3], 0)
}

// Renameat2 implements renameat2(2).
func Renameat2(t *kernel.Task, a kernel.Args) (uint64, error) {
	return renameAt(t, a.Int(0), a[1], a.Int(2), a[3], a.Uint(4))
}

func linkAt(t *kernel.Task, olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags uint32) (uint64, error) {
	if flags&^(abi.AT_SYMLINK_FOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	lf := uint32(abi.AT_SYMLINK_NOFOLLOW)
	if flags&abi.AT_SYMLINK_FOLLOW != 0 {
		lf = 0
	}
	lf |= flags & abi.AT_EMPTY_PATH
	old, _, err := locationAt(t, olddir, oldAddr, lf)
	if err != nil {
		return 0, err
	}
	if !old.Valid() {
		return 0, abi.ENOENT
	}
	nr, np, err := pathAt(t, newdir, newAddr)
	if err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Link(old, nr, np))
}

// Link implements link(2).
func Link(t *kernel.Task, a kernel.Args) (uint64, error) {
	return linkAt(t, abi.AT_FDCWD, a[0], abi.AT_FDCWD, a[1], 0)
}

// Linkat implements linkat(2).
func Linkat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return linkAt(t, a.Int(0), a[1], a.Int(2), a[3], a.Uint(4))
}

func symlinkAt(t *kernel.Task, targetAddr uint64, dirfd int32, linkAddr uint64) (uint64, error) {
	target, err := t.ReadPath(targetAddr)
	if err != nil {
		return 0, err
	}
	if target == "" {
		return 0, abi.ENOENT
	}
	r, p, err := pathAt(t, dirfd, linkAddr)
	if err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Mknod(r, p, abi.S_IFLNK|0o777, 0, target))
}

// Symlink implements symlink(2).
func Symlink(t *kernel.Task, a kernel.Args) (uint64, error) {
	return symlinkAt(t, a[0], abi.AT_FDCWD, a[1])
}

// Symlinkat implements symlinkat(2).
func Symlinkat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return symlinkAt(t, a[0], a.Int(1), a[2])
}

func readlinkAt(t *kernel.Task, dirfd int32, pathAddr, buf uint64, size int32) (uint64, error) {
	if size <= 0 {
		return 0, abi.EINVAL
	}
	l, _, err := locationAt(t, dirfd, pathAddr, abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH)
	if err != nil {
		return 0, err
	}
	target, err := t.Kernel().VFS().Readlink(l)
	if err != nil {
		return 0, err
	}
	b := []byte(target)
	if len(b) > int(size) {
		b = b[:size]
	}
	return uint64(len(b)), t.CopyOut(buf, b)
}

// Readlink implements readlink(2).
func Readlink(t *kernel.Task, a kernel.Args) (uint64, error) {
	return readlinkAt(t, abi.AT_FDCWD, a[0], a[1], a.Int(2))
}

// Readlinkat implements readlinkat(2).
func Readlinkat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return readlinkAt(t, a.Int(0), a[1], a[2], a.Int(3))
}

// accessAt implements the access(2) family: the check uses the real ids
// unless AT_EACCESS asks for the effective ones.
func accessAt(t *kernel.Task, dirfd int32, pathAddr uint64, mode, flags uint32) (uint64, error) {
	if mode&^7 != 0 || flags&^(abi.AT_EACCESS|abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	c := t.Process().Creds()
	if flags&abi.AT_EACCESS == 0 {
		c.FSUID, c.FSGID = c.RealUID, c.RealGID
	}
	p, err := t.ReadPath(pathAddr)
	if err != nil {
		return 0, err
	}
	var l vfs.Location
	if p == "" && flags&abi.AT_EMPTY_PATH != 0 {
		if l, _, err = locationAt(t, dirfd, pathAddr, flags); err != nil {
			return 0, err
		}
	} else {
		r, err := t.Resolver(dirfd, p)
		if err != nil {
			return 0, err
		}
		r.Creds = c.VFS()
		if l, err = t.Kernel().VFS().Walk(r, p, flags&abi.AT_SYMLINK_NOFOLLOW == 0); err != nil {
			return 0, err
		}
	}
	if mode == abi.F_OK {
		return 0, nil
	}
	at := l.Dentry.Inode.Attr()
	if mode&abi.W_OK != 0 && l.Valid() && l.Mount.ReadOnly && (at.IsRegular() || at.IsDir() || at.IsSymlink()) {
		return 0, abi.EROFS
	}
	var want uint32
	if mode&abi.R_OK != 0 {
		want |= vfs.MayRead
	}
	if mode&abi.W_OK != 0 {
		want |= vfs.MayWrite
	}
	if mode&abi.X_OK != 0 {
		want |= vfs.MayExec
	}
	return boolErr(vfs.CheckAccess(c.VFS(), &at, want))
}

// Access implements access(2).
func Access(t *kernel.Task, a kernel.Args) (uint64, error) {
	return accessAt(t, abi.AT_FDCWD, a[0], a.Uint(1), 0)
}

// Faccessat implements faccessat(2) (the syscall has no flags).
func Faccessat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return accessAt(t, a.Int(0), a[1], a.Uint(2), 0)
}

// Faccessat2 implements faccessat2(2).
func Faccessat2(t *kernel.Task, a kernel.Args) (uint64, error) {
	return accessAt(t, a.Int(0), a[1], a.Uint(2), a.Uint(3))
}

func chmodLoc(t *kernel.Task, l vfs.Location, mode uint32) (uint64, error) {
	return boolErr(t.Kernel().VFS().Chmod(vcreds(t), l, mode))
}

// Chmod implements chmod(2).
func Chmod(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return chmodLoc(t, l, a.Uint(1))
}

// Fchmodat implements fchmodat(2) (the syscall has no flags argument).
func Fchmodat(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, a.Int(0), a[1], 0)
	if err != nil {
		return 0, err
	}
	return chmodLoc(t, l, a.Uint(2))
}

// Fchmod implements fchmod(2).
func Fchmod(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		return 0, abi.EPERM
	}
	return chmodLoc(t, f.Loc, a.Uint(1))
}

func chownLoc(t *kernel.Task, l vfs.Location, uid, gid uint32) (uint64, error) {
	return boolErr(t.Kernel().VFS().Chown(vcreds(t), l, uid, gid))
}

// Chown implements chown(2).
func Chown(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return chownLoc(t, l, a.Uint(1), a.Uint(2))
}

// Lchown implements lchown(2).
func Lchown(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], abi.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return 0, err
	}
	return chownLoc(t, l, a.Uint(1), a.Uint(2))
}

// Fchownat implements fchownat(2).
func Fchownat(t *kernel.Task, a kernel.Args) (uint64, error) {
	flags := a.Uint(4)
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	l, _, err := locationAt(t, a.Int(0), a[1], flags)
	if err != nil {
		return 0, err
	}
	return chownLoc(t, l, a.Uint(2), a.Uint(3))
}

// Fchown implements fchown(2).
func Fchown(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		return 0, abi.EPERM
	}
	return chownLoc(t, f.Loc, a.Uint(1), a.Uint(2))
}

// utimes applies the two times a utime-family call names; a nil slice means
// "now" for both.
func utimes(t *kernel.Task, l vfs.Location, ts []abi.Timespec) (uint64, error) {
	if ts == nil {
		return boolErr(t.Kernel().VFS().Utimes(vcreds(t), l, nil, nil, false, false))
	}
	var at, mt *abi.Timespec
	omitA, omitM := ts[0].Nsec == abi.UTIME_OMIT, ts[1].Nsec == abi.UTIME_OMIT
	for i, x := range ts {
		if x.Nsec == abi.UTIME_OMIT || x.Nsec == abi.UTIME_NOW {
			continue
		}
		if x.Nsec < 0 || x.Nsec >= 1e9 {
			return 0, abi.EINVAL
		}
		if i == 0 {
			at = &ts[0]
		} else {
			mt = &ts[1]
		}
	}
	return boolErr(t.Kernel().VFS().Utimes(vcreds(t), l, at, mt, omitA, omitM))
}

// Utimensat implements utimensat(2); a NULL path means the file dirfd.
func Utimensat(t *kernel.Task, a kernel.Args) (uint64, error) {
	dirfd, flags := a.Int(0), a.Uint(3)
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	var ts []abi.Timespec
	if a[2] != 0 {
		b := make([]byte, 2*abi.SizeofTimespec)
		if err := t.CopyIn(a[2], b); err != nil {
			return 0, err
		}
		ts = []abi.Timespec{abi.DecodeTimespec(b), abi.DecodeTimespec(b[16:])}
		if ts[0].Nsec == abi.UTIME_OMIT && ts[1].Nsec == abi.UTIME_OMIT {
			return 0, nil
		}
	}
	var l vfs.Location
	if a[1] == 0 {
		if dirfd == abi.AT_FDCWD {
			return 0, abi.EFAULT
		}
		f, err := fileRaw(t, dirfd)
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		if !f.Loc.Valid() {
			return 0, abi.EPERM
		}
		l = f.Loc
	} else {
		var err error
		if l, _, err = locationAt(t, dirfd, a[1], flags); err != nil {
			return 0, err
		}
	}
	return utimes(t, l, ts)
}

// timevalPair reads the two timevals of utimes and futimesat.
func timevalPair(t *kernel.Task, addr uint64) ([]abi.Timespec, error) {
	if addr == 0 {
		return nil, nil
	}
	b := make([]byte, 2*abi.SizeofTimeval)
	if err := t.CopyIn(addr, b); err != nil {
		return nil, err
	}
	ts := make([]abi.Timespec, 2)
	for i := range ts {
		tv := abi.DecodeTimeval(b[16*i:])
		if tv.Usec < 0 || tv.Usec >= 1e6 {
			return nil, abi.EINVAL
		}
		ts[i] = abi.Timespec{Sec: tv.Sec, Nsec: tv.Usec * 1000}
	}
	return ts, nil
}

// Utimes implements utimes(2).
func Utimes(t *kernel.Task, a kernel.Args) (uint64, error) {
	ts, err := timevalPair(t, a[1])
	if err != nil {
		return 0, err
	}
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return utimes(t, l, ts)
}

// Futimesat implements futimesat(2).
func Futimesat(t *kernel.Task, a kernel.Args) (uint64, error) {
	ts, err := timevalPair(t, a[2])
	if err != nil {
		return 0, err
	}
	l, _, err := locationAt(t, a.Int(0), a[1], 0)
	if err != nil {
		return 0, err
	}
	return utimes(t, l, ts)
}

// Utime implements utime(2): struct utimbuf is two longs, seconds only.
func Utime(t *kernel.Task, a kernel.Args) (uint64, error) {
	var ts []abi.Timespec
	if a[1] != 0 {
		at, err := getU64(t, a[1])
		if err != nil {
			return 0, err
		}
		mt, err := getU64(t, a[1]+8)
		if err != nil {
			return 0, err
		}
		ts = []abi.Timespec{{Sec: int64(at)}, {Sec: int64(mt)}}
	}
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return utimes(t, l, ts)
}

// Umask implements umask(2).
func Umask(t *kernel.Task, a kernel.Args) (uint64, error) {
	return uint64(t.FS().SetUmask(a.Uint(0))), nil
}

// Truncate implements truncate(2): the caller needs write permission.
func Truncate(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, ino, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	at := ino.Attr()
	if at.IsDir() {
		return 0, abi.EISDIR
	}
	if err := vfs.CheckAccess(vcreds(t), &at, vfs.MayWrite); err != nil {
		return 0, err
	}
	if err := t.CheckFileSize(int64(a[1]), at.Size); err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Truncate(l, int64(a[1])))
}

// Ftruncate implements ftruncate(2): EINVAL unless fd is a regular file
// open for writing.
func Ftruncate(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	at := f.Inode.Attr()
	if !at.IsRegular() || !f.Writable() || !f.Loc.Valid() {
		return 0, abi.EINVAL
	}
	if err := t.CheckFileSize(int64(a[1]), at.Size); err != nil {
		return 0, err
	}
	return boolErr(t.Kernel().VFS().Truncate(f.Loc, int64(a[1])))
}

// Fsync implements fsync(2) and fdatasync(2): EINVAL for files that cannot
// be synced (pipes, terminals).
func Fsync(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if s, ok := f.Ops.(vfs.Syncer); ok {
		return boolErr(s.Sync())
	}
	if f.IsStream() {
		return 0, abi.EINVAL
	}
	// In-memory files are as durable as they will ever be.
	return 0, nil
}

// Fallocate implements fallocate(2).
func Fallocate(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	mode, off, length := a.Uint(1), int64(a[2]), int64(a[3])
	if off < 0 || length <= 0 {
		return 0, abi.EINVAL
	}
	if !f.Writable() {
		return 0, abi.EBADF
	}
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	at := f.Inode.Attr()
	if at.IsDir() {
		return 0, abi.EISDIR
	}
	if !at.IsRegular() {
		return 0, abi.ENODEV
	}
	if off+length < off {
		return 0, abi.EFBIG
	}
	if mode&abi.FALLOC_FL_KEEP_SIZE == 0 {
		if err := t.CheckFileSize(off+length, at.Size); err != nil {
			return 0, err
		}
	}
	al, ok := f.Ops.(vfs.Allocator)
	if !ok {
		return 0, abi.EOPNOTSUPP
	}
	return boolErr(al.Allocate(mode, off, length))
}

// Sync implements sync(2); syncfs(2) likewise has nothing to flush.
func Sync(*kernel.Task, kernel.Args) (uint64, error) { return 0, nil }

// Syncfs implements syncfs(2).
func Syncfs(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	f.DecRef()
	return 0, nil
}
