package vfs

import (
	"paddock/abi"
)

// This file holds the path operations behind the file syscalls. Each takes
// the VFS lock for its whole walk-and-change, so that O_EXCL and rename are
// atomic, and applies Linux's permission and errno rules (fs/namei.c,
// fs/open.c, fs/attr.c).

// roCheck fails with EROFS on a read-only mount.
func roCheck(l Location) error {
	if l.Mount.ReadOnly {
		return abi.EROFS
	}
	return nil
}

// mayCreate checks that c may add or remove names in dir (may_create,
// may_delete): write and search permission.
func mayChangeDir(c *Creds, dir Location) error {
	a := dir.Dentry.Inode.Attr()
	if err := CheckAccess(c, &a, MayWrite|MayExec); err != nil {
		return err
	}
	return roCheck(dir)
}

// stickyOK implements the sticky-directory rule: in a directory with S_ISVTX
// only the file's owner, the directory's owner or root may remove or rename
// an entry.
func stickyOK(c *Creds, dir, victim *Attr) bool {
	return dir.Mode&abi.S_ISVTX == 0 || c.Root() || c.UID == victim.UID || c.UID == dir.UID
}

func (v *VFS) cacheChild(m *Mount, d *Dentry, name string, ino Inode) *Dentry {
	c := &Dentry{Name: name, Parent: d, Inode: ino}
	if m.FS.CacheDentries() {
		if d.children == nil {
			d.children = map[string]*Dentry{}
		}
		d.children[name] = c
	}
	return c
}

func (v *VFS) forget(d *Dentry, name string) {
	if c, ok := d.children[name]; ok {
		c.Deleted = true
		delete(d.children, name)
	}
}

// newOwner returns the owner of a new inode in dir: the creator's fsuid,
// and the directory's group if it is set-group-ID, else the creator's.
func newOwner(c *Creds, dir *Attr) (uid, gid uint32) {
	if dir.Mode&abi.S_ISGID != 0 {
		return c.UID, dir.GID
	}
	return c.UID, c.GID
}

// Open opens path (open(2)/openat(2)); mode is the creation mode with the
// umask already applied.
func (v *VFS) Open(ctx Context, r *Resolver, path string, flags, mode uint32) (*File, error) {
	c := r.Creds
	v.mu.Lock()
	excl := flags&abi.O_CREAT != 0 && flags&abi.O_EXCL != 0
	follow := flags&abi.O_NOFOLLOW == 0 && !excl
	res, err := v.resolve(r, path, follow)
	if err != nil {
		v.mu.Unlock()
		return nil, err
	}
	created := false
	l := res.Found
	if !l.Valid() {
		if flags&abi.O_CREAT == 0 {
			v.mu.Unlock()
			return nil, abi.ENOENT
		}
		if res.Trailing {
			v.mu.Unlock()
			return nil, abi.EISDIR
		}
		if err := mayChangeDir(c, res.Dir); err != nil {
			v.mu.Unlock()
			return nil, err
		}
		da := res.Dir.Dentry.Inode.Attr()
		uid, gid := newOwner(c, &da)
		ino, err := res.Dir.Dentry.Inode.Create(res.Name, &NewInode{Mode: abi.S_IFREG | mode&0o7777, UID: uid, GID: gid, Now: v.Now()})
		if err != nil {
			v.mu.Unlock()
			return nil, err
		}
		l = Location{res.Dir.Mount, v.cacheChild(res.Dir.Mount, res.Dir.Dentry, res.Name, ino)}
		created = true
	} else if excl {
		v.mu.Unlock()
		return nil, abi.EEXIST
	}
	v.mu.Unlock()

	a := l.Dentry.Inode.Attr()
	if flags&abi.O_PATH != 0 {
		if flags&abi.O_DIRECTORY != 0 && !a.IsDir() {
			return nil, abi.ENOTDIR
		}
		return NewFile(l, l.Dentry.Inode, pathFile{}, flags&(abi.O_PATH|abi.O_CLOEXEC|abi.O_DIRECTORY|abi.O_NOFOLLOW)), nil
	}
	if a.IsSymlink() {
		return nil, abi.ELOOP
	}
	if flags&abi.O_DIRECTORY != 0 && !a.IsDir() {
		return nil, abi.ENOTDIR
	}
	acc := flags & abi.O_ACCMODE
	wantWrite := acc == abi.O_WRONLY || acc == abi.O_RDWR
	if a.IsDir() && (wantWrite || flags&abi.O_CREAT != 0) {
		return nil, abi.EISDIR
	}
	if !created {
		var want uint32
		if acc == abi.O_RDONLY || acc == abi.O_RDWR {
			want |= MayRead
		}
		if wantWrite || flags&abi.O_TRUNC != 0 {
			want |= MayWrite
		}
		if err := CheckAccess(c, &a, want); err != nil {
			return nil, err
		}
		if wantWrite && a.IsRegular() {
			if err := roCheck(l); err != nil {
				return nil, err
			}
		}
	}
	ops, err := v.openInode(ctx, l, &a, flags)
	if err != nil {
		return nil, err
	}
	f := NewFile(l, l.Dentry.Inode, ops, flags&^(abi.O_CREAT|abi.O_EXCL|abi.O_NOCTTY|abi.O_TRUNC|abi.O_CLOEXEC))
	if flags&abi.O_TRUNC != 0 && wantWrite && a.IsRegular() && !created {
		now := v.Now()
		if err := l.Dentry.Inode.SetAttr(&SetAttr{SetSize: true, SetMtime: true, Mtime: now, SetCtime: true, Ctime: now}); err != nil {
			f.DecRef()
			return nil, err
		}
	}
	return f, nil
}

// OpenTmpfile implements open(2) with O_TMPFILE: an unnamed regular file
// in the directory at path, which linkat may name later unless O_EXCL is
// given (vfs_tmpfile). File systems that cannot make one (TmpfileCreator)
// answer EOPNOTSUPP, as Linux's do without ->tmpfile.
func (v *VFS) OpenTmpfile(r *Resolver, path string, flags, mode uint32) (*File, error) {
	if acc := flags & abi.O_ACCMODE; acc != abi.O_WRONLY && acc != abi.O_RDWR {
		return nil, abi.EINVAL
	}
	dir, err := v.Walk(r, path, true)
	if err != nil {
		return nil, err
	}
	a := dir.Dentry.Inode.Attr()
	if !a.IsDir() {
		return nil, abi.ENOTDIR
	}
	tc, ok := dir.Dentry.Inode.(TmpfileCreator)
	if !ok {
		return nil, abi.EOPNOTSUPP
	}
	if err := mayChangeDir(r.Creds, dir); err != nil {
		return nil, err
	}
	uid, gid := newOwner(r.Creds, &a)
	ino, err := tc.CreateTmpfile(&NewInode{Mode: mode & 0o7777, UID: uid, GID: gid, Now: v.Now()})
	if err != nil {
		return nil, err
	}
	ia := ino.Attr()
	d := &Dentry{Name: "#" + itoa(ia.Ino), Parent: dir.Dentry, Inode: ino, Deleted: true, Linkable: flags&abi.O_EXCL == 0}
	ops, err := ino.Open(flags)
	if err != nil {
		return nil, err
	}
	return NewFile(Location{dir.Mount, d}, ino, ops, flags&^(abi.O_TMPFILE|abi.O_EXCL|abi.O_CLOEXEC|abi.O_CREAT|abi.O_TRUNC)), nil
}

// OpenAt opens an existing location, as exec and /proc/[pid]/fd re-opens
// do, with the same checks as Open.
func (v *VFS) OpenAt(ctx Context, c *Creds, l Location, flags uint32) (*File, error) {
	a := l.Dentry.Inode.Attr()
	var want uint32
	acc := flags & abi.O_ACCMODE
	if acc == abi.O_RDONLY || acc == abi.O_RDWR {
		want |= MayRead
	}
	if acc == abi.O_WRONLY || acc == abi.O_RDWR {
		want |= MayWrite
		if a.IsDir() {
			return nil, abi.EISDIR
		}
	}
	if err := CheckAccess(c, &a, want); err != nil {
		return nil, err
	}
	ops, err := v.openInode(ctx, l, &a, flags)
	if err != nil {
		return nil, err
	}
	return NewFile(l, l.Dentry.Inode, ops, flags&^(abi.O_CREAT|abi.O_EXCL|abi.O_TRUNC|abi.O_CLOEXEC)), nil
}

func (v *VFS) openInode(ctx Context, l Location, a *Attr, flags uint32) (FileOps, error) {
	if r, ok := l.Dentry.Inode.(Reopener); ok {
		return r.Reopen(flags)
	}
	switch a.Type() {
	case abi.S_IFDIR:
		parent := a.Ino
		if l.Dentry.Parent != nil {
			pa := l.Dentry.Parent.Inode.Attr()
			parent = pa.Ino
		}
		return &dirFile{inode: l.Dentry.Inode, parentIno: parent}, nil
	case abi.S_IFIFO:
		return v.openFIFO(ctx, l.Dentry.Inode, flags)
	case abi.S_IFCHR:
		open := v.device(a.Rdev)
		if open == nil {
			return nil, abi.ENXIO
		}
		return open(ctx, flags)
	case abi.S_IFBLK, abi.S_IFSOCK:
		return nil, abi.ENXIO
	}
	return l.Dentry.Inode.Open(flags)
}

// pathFile is the operations of an O_PATH file: nothing but fstat, fchdir
// and *at() use.
type pathFile struct{}

func (pathFile) Read(Context, *File, []byte, int64) (int, error)  { return 0, abi.EBADF }
func (pathFile) Write(Context, *File, []byte, int64) (int, error) { return 0, abi.EBADF }

// Mknod creates a regular file, FIFO, socket or device node (mknod(2)),
// directory (mkdir(2)) or symlink (symlink(2), with target). mode has the
// umask applied and holds the file type.
func (v *VFS) Mknod(r *Resolver, path string, mode uint32, rdev uint64, target string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	res, err := v.resolve(r, path, false)
	if err != nil {
		return err
	}
	if res.Found.Valid() || res.Name == "" || res.Name == "." || res.Name == ".." {
		return abi.EEXIST
	}
	typ := mode & abi.S_IFMT
	if res.Trailing && typ != abi.S_IFDIR {
		return abi.ENOENT
	}
	if err := mayChangeDir(r.Creds, res.Dir); err != nil {
		return err
	}
	if (typ == abi.S_IFCHR || typ == abi.S_IFBLK) && !r.Creds.Root() {
		return abi.EPERM
	}
	da := res.Dir.Dentry.Inode.Attr()
	uid, gid := newOwner(r.Creds, &da)
	if typ == abi.S_IFDIR && da.Mode&abi.S_ISGID != 0 {
		mode |= abi.S_ISGID
	}
	ino, err := res.Dir.Dentry.Inode.Create(res.Name, &NewInode{Mode: mode, UID: uid, GID: gid, Rdev: rdev, Target: target, Now: v.Now()})
	if err != nil {
		return err
	}
	v.cacheChild(res.Dir.Mount, res.Dir.Dentry, res.Name, ino)
	return nil
}

// Link creates newPath as another name for the inode at old (link(2)).
func (v *VFS) Link(old Location, r *Resolver, newPath string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	a := old.Dentry.Inode.Attr()
	if a.IsDir() {
		return abi.EPERM
	}
	res, err := v.resolve(r, newPath, false)
	if err != nil {
		return err
	}
	if res.Found.Valid() || res.Name == "" || res.Name == "." || res.Name == ".." {
		return abi.EEXIST
	}
	if res.Trailing {
		return abi.ENOENT
	}
	if res.Dir.Mount != old.Mount {
		return abi.EXDEV
	}
	if err := mayChangeDir(r.Creds, res.Dir); err != nil {
		return err
	}
	if a.Nlink == 0 && !old.Dentry.Linkable {
		return abi.ENOENT
	}
	if err := res.Dir.Dentry.Inode.Link(res.Name, old.Dentry.Inode); err != nil {
		return err
	}
	v.cacheChild(res.Dir.Mount, res.Dir.Dentry, res.Name, old.Dentry.Inode)
	return nil
}

// Unlink removes a name that is not a directory (unlink(2)), or with dir
// set an empty directory (rmdir(2)).
func (v *VFS) Unlink(r *Resolver, path string, dir bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	pdir, name, trailing, err := (&walkState{v: v, r: r}).parent(path)
	if err != nil {
		return err
	}
	switch {
	case name == "" && dir:
		return abi.EBUSY
	case name == "":
		return abi.EISDIR
	case name == "." && dir:
		return abi.EINVAL
	case name == ".." && dir:
		return abi.ENOTEMPTY
	case name == "." || name == "..":
		return abi.EISDIR
	}
	w := &walkState{v: v, r: r}
	l, err := w.step(pdir, name)
	if err != nil {
		return err
	}
	a := l.Dentry.Inode.Attr()
	if dir && !a.IsDir() {
		return abi.ENOTDIR
	}
	if !dir && a.IsDir() {
		return abi.EISDIR
	}
	if !dir && trailing {
		return abi.ENOTDIR
	}
	if err := mayChangeDir(r.Creds, pdir); err != nil {
		return err
	}
	da := pdir.Dentry.Inode.Attr()
	if !stickyOK(r.Creds, &da, &a) {
		return abi.EPERM
	}
	if l.Mount != pdir.Mount || l.Dentry == l.Mount.Root {
		return abi.EBUSY
	}
	if _, mounted := v.mounts[mountKey{l.Mount, l.Dentry.Inode}]; mounted {
		return abi.EBUSY
	}
	if dir {
		err = pdir.Dentry.Inode.Rmdir(name)
	} else {
		err = pdir.Dentry.Inode.Unlink(name)
	}
	if err != nil {
		return err
	}
	v.forget(pdir.Dentry, name)
	l.Dentry.Deleted = true
	return nil
}

// Rename implements rename(2) and renameat2(2) (flags RENAME_NOREPLACE,
// RENAME_EXCHANGE).
func (v *VFS) Rename(oldR *Resolver, oldPath string, newR *Resolver, newPath string, flags uint32) error {
	if flags&^(abi.RENAME_NOREPLACE|abi.RENAME_EXCHANGE) != 0 ||
		flags&abi.RENAME_NOREPLACE != 0 && flags&abi.RENAME_EXCHANGE != 0 {
		return abi.EINVAL
	}
	exchange := flags&abi.RENAME_EXCHANGE != 0
	v.mu.Lock()
	defer v.mu.Unlock()
	oldDir, oldName, oldTrailing, err := (&walkState{v: v, r: oldR}).parent(oldPath)
	if err != nil {
		return err
	}
	newDir, newName, newTrailing, err := (&walkState{v: v, r: newR}).parent(newPath)
	if err != nil {
		return err
	}
	if oldName == "" || oldName == "." || oldName == ".." {
		return abi.EBUSY
	}
	if newName == "" || newName == "." || newName == ".." {
		if exchange {
			return abi.EBUSY
		}
		return abi.EBUSY
	}
	src, err := (&walkState{v: v, r: oldR}).step(oldDir, oldName)
	if err != nil {
		return err
	}
	sa := src.Dentry.Inode.Attr()
	if (oldTrailing || newTrailing) && !sa.IsDir() {
		return abi.ENOTDIR
	}
	dst, err := (&walkState{v: v, r: newR}).step(newDir, newName)
	if err != nil && err != abi.ENOENT {
		return err
	}
	if oldDir.Mount != newDir.Mount {
		return abi.EXDEV
	}
	if exchange && !dst.Valid() {
		return abi.ENOENT
	}
	if dst.Valid() {
		if flags&abi.RENAME_NOREPLACE != 0 {
			return abi.EEXIST
		}
		if dst.Dentry.Inode == src.Dentry.Inode {
			return nil
		}
		ta := dst.Dentry.Inode.Attr()
		if !exchange {
			if sa.IsDir() && !ta.IsDir() {
				return abi.ENOTDIR
			}
			if !sa.IsDir() && ta.IsDir() {
				return abi.EISDIR
			}
		}
		if _, m := v.mounts[mountKey{dst.Mount, dst.Dentry.Inode}]; m || dst.Dentry == dst.Mount.Root {
			return abi.EBUSY
		}
		nd := newDir.Dentry.Inode.Attr()
		if !stickyOK(oldR.Creds, &nd, &ta) {
			return abi.EPERM
		}
	}
	if _, m := v.mounts[mountKey{src.Mount, src.Dentry.Inode}]; m || src.Dentry == src.Mount.Root {
		return abi.EBUSY
	}
	// A directory may not move into itself or below itself.
	if sa.IsDir() || exchange {
		for d := newDir.Dentry; d != nil; d = d.Parent {
			if d.Inode == src.Dentry.Inode {
				return abi.EINVAL
			}
		}
	}
	if exchange && dst.Valid() {
		for d := oldDir.Dentry; d != nil; d = d.Parent {
			if d.Inode == dst.Dentry.Inode {
				return abi.EINVAL
			}
		}
	}
	if err := mayChangeDir(oldR.Creds, oldDir); err != nil {
		return err
	}
	if err := mayChangeDir(newR.Creds, newDir); err != nil {
		return err
	}
	od := oldDir.Dentry.Inode.Attr()
	if !stickyOK(oldR.Creds, &od, &sa) {
		return abi.EPERM
	}
	// Moving a directory to a new parent rewrites its "..": that needs
	// write permission on the directory itself.
	if sa.IsDir() && oldDir.Dentry.Inode != newDir.Dentry.Inode {
		if err := CheckAccess(oldR.Creds, &sa, MayWrite); err != nil {
			return err
		}
	}
	if err := oldDir.Dentry.Inode.Rename(oldName, newDir.Dentry.Inode, newName, exchange); err != nil {
		return err
	}
	// Bring the dentry cache along.
	srcD := src.Dentry
	var dstD *Dentry
	if dst.Valid() {
		dstD = dst.Dentry
	}
	delete(oldDir.Dentry.children, oldName)
	delete(newDir.Dentry.children, newName)
	srcD.Name, srcD.Parent = newName, newDir.Dentry
	if newDir.Mount.FS.CacheDentries() {
		if newDir.Dentry.children == nil {
			newDir.Dentry.children = map[string]*Dentry{}
		}
		newDir.Dentry.children[newName] = srcD
	}
	if dstD != nil {
		if exchange {
			dstD.Name, dstD.Parent = oldName, oldDir.Dentry
			if oldDir.Dentry.children == nil {
				oldDir.Dentry.children = map[string]*Dentry{}
			}
			oldDir.Dentry.children[oldName] = dstD
		} else {
			dstD.Deleted = true
		}
	}
	return nil
}

// Readlink returns the target of the symlink at l (readlink(2)).
func (v *VFS) Readlink(l Location) (string, error) {
	a := l.Dentry.Inode.Attr()
	if !a.IsSymlink() {
		return "", abi.EINVAL
	}
	return l.Dentry.Inode.Readlink()
}

// Chmod implements chmod(2): the owner or root may change the permission
// bits; a caller outside the file's group loses S_ISGID (fs/attr.c).
func (v *VFS) Chmod(c *Creds, l Location, mode uint32) error {
	if err := roCheck(l); err != nil {
		return err
	}
	a := l.Dentry.Inode.Attr()
	if !c.Root() && c.UID != a.UID {
		return abi.EPERM
	}
	mode &= 0o7777
	if !c.Root() && !c.InGroup(a.GID) {
		mode &^= abi.S_ISGID
	}
	return l.Dentry.Inode.SetAttr(&SetAttr{SetMode: true, Mode: mode, SetCtime: true, Ctime: v.Now()})
}

// Chown implements chown(2); uid or gid ^0 (-1) leaves that id alone.
// Changing the owner needs root; the owner may change the group to one of
// their own groups. Every chown of a non-directory, even one that changes
// nothing, clears the set-user-ID bit and, if the file is
// group-executable, the set-group-ID bit: chown_common sets
// ATTR_KILL_SUID|ATTR_KILL_SGID, and Linux applies them for root too.
func (v *VFS) Chown(c *Creds, l Location, uid, gid uint32) error {
	if err := roCheck(l); err != nil {
		return err
	}
	a := l.Dentry.Inode.Attr()
	s := &SetAttr{SetCtime: true, Ctime: v.Now()}
	if uid != ^uint32(0) {
		if !c.Root() && (uid != a.UID || c.UID != a.UID) {
			return abi.EPERM
		}
		s.SetUID, s.UID = true, uid
	}
	if gid != ^uint32(0) {
		if !c.Root() && (c.UID != a.UID || !c.InGroup(gid) && gid != a.GID) {
			return abi.EPERM
		}
		s.SetGID, s.GID = true, gid
	}
	if !a.IsDir() {
		m := a.Mode &^ abi.S_ISUID
		if m&abi.S_ISGID != 0 && m&0o010 != 0 {
			m &^= abi.S_ISGID
		}
		if m != a.Mode {
			s.SetMode, s.Mode = true, m&0o7777
		}
	}
	return l.Dentry.Inode.SetAttr(s)
}

// Utimes sets access and modification times (utimensat(2)). nil means
// "now" for that time, omit leaves it unchanged. Setting explicit times
// needs ownership or root; setting both to now needs ownership or write
// permission.
func (v *VFS) Utimes(c *Creds, l Location, atime, mtime *abi.Timespec, omitA, omitM bool) error {
	if omitA && omitM {
		return nil
	}
	if err := roCheck(l); err != nil {
		return err
	}
	a := l.Dentry.Inode.Attr()
	owner := c.Root() || c.UID == a.UID
	explicit := (!omitA && atime != nil) || (!omitM && mtime != nil)
	if explicit && !owner {
		return abi.EPERM
	}
	if !explicit && !owner {
		if err := CheckAccess(c, &a, MayWrite); err != nil {
			return err
		}
	}
	now := v.Now()
	s := &SetAttr{SetCtime: true, Ctime: now}
	if !omitA {
		s.SetAtime, s.Atime = true, now
		if atime != nil {
			s.Atime = *atime
		}
	}
	if !omitM {
		s.SetMtime, s.Mtime = true, now
		if mtime != nil {
			s.Mtime = *mtime
		}
	}
	return l.Dentry.Inode.SetAttr(s)
}

// Truncate sets a regular file's size (truncate(2)); the caller checks
// write permission through the path or the fd's mode.
func (v *VFS) Truncate(l Location, size int64) error {
	if size < 0 {
		return abi.EINVAL
	}
	a := l.Dentry.Inode.Attr()
	if a.IsDir() {
		return abi.EISDIR
	}
	if !a.IsRegular() {
		return abi.EINVAL
	}
	if err := roCheck(l); err != nil {
		return err
	}
	now := v.Now()
	return l.Dentry.Inode.SetAttr(&SetAttr{SetSize: true, Size: size, SetMtime: true, Mtime: now, SetCtime: true, Ctime: now})
}

// OpenForExec opens the regular file at l for reading by the kernel on
// behalf of execve: it needs execute permission (and, for root, at least one
// execute bit), not read permission, as Linux's open_exec.
func (v *VFS) OpenForExec(ctx Context, c *Creds, l Location) (*File, error) {
	a := l.Dentry.Inode.Attr()
	if a.IsDir() || !a.IsRegular() {
		return nil, abi.EACCES
	}
	if err := CheckAccess(c, &a, MayExec); err != nil {
		return nil, err
	}
	ops, err := l.Dentry.Inode.Open(abi.O_RDONLY)
	if err != nil {
		return nil, err
	}
	return NewFile(l, l.Dentry.Inode, ops, abi.O_RDONLY), nil
}
