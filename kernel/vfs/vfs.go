// Package vfs is paddock's virtual file system: mounts, dentries, path
// resolution, open file descriptions, and the in-memory file system (memfs)
// behind tmpfs, devfs and the writable layer over image and tarball roots.
// Semantics follow Linux's fs/namei.c and fs/open.c; each file system only
// stores and fetches, while permission checks, path rules and errno choices
// live here, once.
package vfs

import (
	"strings"
	"sync"

	"paddock/abi"
)

// FileSystem is a mounted tree.
type FileSystem interface {
	Root() Inode
	// Type is the name /proc/mounts shows ("ext4", "tmpfs", "proc").
	Type() string
	Statfs() abi.Statfs
	// CacheDentries reports whether names looked up in this file system
	// stay valid until the VFS itself changes them. Synthetic trees whose
	// entries come and go on their own (/proc) return false.
	CacheDentries() bool
}

// Mount is one mounted file system.
type Mount struct {
	ID       int
	FS       FileSystem
	Root     *Dentry
	Parent   *Mount  // nil for the root mount
	Point    *Dentry // where it is mounted, in Parent
	ReadOnly bool
	Source   string // device name for /proc/mounts ("none", "/dev/root")
	Flags    string // extra mount options shown in /proc/mounts
}

// Dentry is a name in a file system tree, linked to its parent so that
// paths can be rebuilt (getcwd, /proc/[pid]/cwd).
type Dentry struct {
	Name    string
	Parent  *Dentry // nil at a file system's root
	Inode   Inode
	Deleted bool // unlinked while still in use
	// Linkable marks an O_TMPFILE file without O_EXCL: linkat may give it
	// a name although it has no link (I_LINKABLE).
	Linkable bool

	children map[string]*Dentry
}

// Location is a dentry in a particular mount: where a path walk stands.
type Location struct {
	Mount  *Mount
	Dentry *Dentry
}

// Valid reports whether l is set.
func (l Location) Valid() bool { return l.Mount != nil && l.Dentry != nil }

type mountKey struct {
	mnt   *Mount
	inode Inode
}

// VFS is the mount namespace and everything path-shaped.
type VFS struct {
	mu      sync.Mutex
	root    *Mount
	mounts  map[mountKey]*Mount
	all     []*Mount
	nextID  int
	devices map[uint64]DeviceOpener
	// fifos are the pipes of FIFOs in use, by the FIFO's device and
	// inode number: a file system may make a new Inode at each lookup.
	fifos   map[inodeKey]*Pipe
	nextDev uint32
	pipeIno uint64
	anon    *anonInode
	locks   *Locks
	// anonMount holds the locations of files outside the tree
	// (AnonLocation).
	anonMount *Mount
	// Now is the clock for timestamps.
	Now func() abi.Timespec
}

// New returns a VFS with rootFS mounted at "/".
func New(rootFS FileSystem, source string, now func() abi.Timespec) *VFS {
	v := &VFS{mounts: map[mountKey]*Mount{}, devices: map[uint64]DeviceOpener{}, fifos: map[inodeKey]*Pipe{}, Now: now,
		locks: &Locks{tables: map[inodeKey]*inodeLocks{}, waitingFor: map[any]any{}}, anonMount: newAnonMount()}
	v.nextID = 20
	v.root = v.newMount(rootFS, source)
	return v
}

func (v *VFS) newMount(fs FileSystem, source string) *Mount {
	v.nextID++
	m := &Mount{ID: v.nextID, FS: fs, Root: &Dentry{Name: "/", Inode: fs.Root()}, Source: source}
	v.all = append(v.all, m)
	return m
}

// AnonDev returns a fresh anonymous device number (major 0), as Linux gives
// file systems without a block device.
func (v *VFS) AnonDev() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.nextDev++
	return abi.Makedev(0, 20+v.nextDev)
}

// Root returns the location of "/".
func (v *VFS) Root() Location { return Location{v.root, v.root.Root} }

// Mounts returns the mounts in the order they were made.
func (v *VFS) Mounts() []*Mount {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]*Mount(nil), v.all...)
}

// Mount mounts fs on the directory at l.
func (v *VFS) Mount(l Location, fs FileSystem, source string, readOnly bool) (*Mount, error) {
	a := l.Dentry.Inode.Attr()
	if !a.IsDir() {
		return nil, abi.ENOTDIR
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	m := v.newMount(fs, source)
	m.Parent, m.Point, m.ReadOnly = l.Mount, l.Dentry, readOnly
	v.mounts[mountKey{l.Mount, l.Dentry.Inode}] = m
	return m, nil
}

// mountedOn returns the mount stacked on l, following stacked mounts to the
// top, or l itself.
func (v *VFS) crossDown(l Location) Location {
	for {
		m, ok := v.mounts[mountKey{l.Mount, l.Dentry.Inode}]
		if !ok {
			return l
		}
		l = Location{m, m.Root}
	}
}

// IsMountPoint reports whether something is mounted on l, or l is the root
// of a mount (both make rmdir and rename fail with EBUSY).
func (v *VFS) IsMountPoint(l Location) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.mounts[mountKey{l.Mount, l.Dentry.Inode}]
	return ok || l.Dentry == l.Mount.Root
}

// child returns the dentry for name in directory d, looking it up in the
// file system if it is not cached.
func (v *VFS) child(m *Mount, d *Dentry, name string, caller any) (*Dentry, error) {
	if c, ok := d.children[name]; ok {
		return c, nil
	}
	var ino Inode
	var err error
	if cl, ok := d.Inode.(CallerLookuper); ok {
		ino, err = cl.LookupFor(caller, name)
	} else {
		ino, err = d.Inode.Lookup(name)
	}
	if err != nil {
		return nil, err
	}
	c := &Dentry{Name: name, Parent: d, Inode: ino}
	if m.FS.CacheDentries() {
		if d.children == nil {
			d.children = map[string]*Dentry{}
		}
		d.children[name] = c
	}
	return c, nil
}

// parent returns the location of l's "..", staying at root.
func (v *VFS) parentOf(root, l Location) Location {
	for {
		if l == root {
			return l
		}
		if l.Dentry != l.Mount.Root {
			return Location{l.Mount, l.Dentry.Parent}
		}
		if l.Mount.Parent == nil {
			return l
		}
		l = Location{l.Mount.Parent, l.Mount.Point}
	}
}

// Path returns the absolute path of l as seen from root, and whether l is
// reachable from root at all. Deleted entries get Linux's " (deleted)".
func (v *VFS) Path(root, l Location) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var parts []string
	deleted := l.Dentry.Deleted
	for l != root {
		if l.Dentry == l.Mount.Root {
			if l.Mount.Parent == nil {
				// Walked past the top without meeting root: l is
				// outside the caller's root.
				return "/" + strings.Join(reverse(parts), "/"), false
			}
			l = Location{l.Mount.Parent, l.Mount.Point}
			continue
		}
		parts = append(parts, l.Dentry.Name)
		l = Location{l.Mount, l.Dentry.Parent}
	}
	p := "/" + strings.Join(reverse(parts), "/")
	if deleted {
		p += " (deleted)"
	}
	return p, true
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// Resolver says where a path walk starts and who is walking.
type Resolver struct {
	Creds *Creds
	Root  Location // the process's root: ".." and absolute paths stop here
	Start Location // the directory relative paths start from
	// Caller is who resolves the path (a *kernel.Task; nil for the
	// kernel itself), for directories whose entries depend on it
	// (/proc/self).
	Caller any
}

// LinkJumper is a symlink Inode that leads to an object rather than to a
// path (Linux's nd_jump_link): /proc/PID/fd/N leads to the open file's
// location even when its name has changed. ok false means: follow the
// target text as usual.
type LinkJumper interface {
	Jump() (l Location, ok bool, err error)
}

// CallerLookuper is a directory Inode whose lookups depend on who looks:
// the VFS calls LookupFor instead of Lookup.
type CallerLookuper interface {
	LookupFor(caller any, name string) (Inode, error)
}

// errTrailingSlash-free components of a path.
func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// walkState is one path resolution in progress.
type walkState struct {
	v     *VFS
	r     *Resolver
	links int
}

// Walk resolves path to a location. follow says whether a symlink in the
// last component is followed. A trailing slash requires a directory (and
// always follows).
func (v *VFS) Walk(r *Resolver, path string, follow bool) (Location, error) {
	if path == "" {
		return Location{}, abi.ENOENT
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	w := &walkState{v: v, r: r}
	return w.walk(path, follow)
}

// Lookup resolves path, following a final symlink, and returns the inode's
// attributes too: the common case of stat(2).
func (v *VFS) Lookup(r *Resolver, path string, follow bool) (Location, Attr, error) {
	l, err := v.Walk(r, path, follow)
	if err != nil {
		return Location{}, Attr{}, err
	}
	return l, l.Dentry.Inode.Attr(), nil
}

func (w *walkState) start(path string) Location {
	if strings.HasPrefix(path, "/") {
		return w.v.crossDown(w.r.Root)
	}
	return w.r.Start
}

func (w *walkState) walk(path string, follow bool) (Location, error) {
	cur := w.start(path)
	comps := splitPath(path)
	trailing := strings.HasSuffix(path, "/")
	for i := 0; i < len(comps); i++ {
		last := i == len(comps)-1
		next, err := w.step(cur, comps[i])
		if err != nil {
			return Location{}, err
		}
		a := next.Dentry.Inode.Attr()
		if a.IsSymlink() && (!last || follow || trailing) {
			if j, ok := next.Dentry.Inode.(LinkJumper); ok {
				to, jumps, err := j.Jump()
				if err != nil {
					return Location{}, err
				}
				if jumps {
					if w.links++; w.links > abi.SymlinkMax {
						return Location{}, abi.ELOOP
					}
					cur = to
					continue
				}
			}
			target, err := w.readlink(next)
			if err != nil {
				return Location{}, err
			}
			if strings.HasPrefix(target, "/") {
				next = w.v.crossDown(w.r.Root)
			} else {
				next = cur
			}
			// Splice the target's components in front of the rest.
			rest := append(splitPath(target), comps[i+1:]...)
			comps = append(comps[:i+1:i+1], rest...)
			if strings.HasSuffix(target, "/") && len(rest) == len(splitPath(target)) {
				trailing = true
			}
			cur = next
			continue
		}
		cur = next
	}
	if trailing {
		a := cur.Dentry.Inode.Attr()
		if !a.IsDir() {
			return Location{}, abi.ENOTDIR
		}
	}
	return cur, nil
}

func (w *walkState) readlink(l Location) (string, error) {
	w.links++
	if w.links > abi.SymlinkMax {
		return "", abi.ELOOP
	}
	t, err := l.Dentry.Inode.Readlink()
	if err != nil {
		return "", err
	}
	if t == "" {
		return "", abi.ENOENT
	}
	return t, nil
}

// step moves from directory cur to its component name, checking search
// permission on cur.
func (w *walkState) step(cur Location, name string) (Location, error) {
	a := cur.Dentry.Inode.Attr()
	if !a.IsDir() {
		return Location{}, abi.ENOTDIR
	}
	if err := CheckAccess(w.r.Creds, &a, MayExec); err != nil {
		return Location{}, err
	}
	switch name {
	case ".":
		return cur, nil
	case "..":
		return w.v.crossDown(w.v.parentOf(w.r.Root, cur)), nil
	}
	if len(name) > abi.NAME_MAX {
		return Location{}, abi.ENAMETOOLONG
	}
	d, err := w.v.child(cur.Mount, cur.Dentry, name, w.r.Caller)
	if err != nil {
		return Location{}, err
	}
	return w.v.crossDown(Location{cur.Mount, d}), nil
}

// WalkParent resolves everything but the last component of path. It returns
// the parent directory, the last component ("" for "/", and "." or ".." as
// written) and whether the path ended in a slash.
func (v *VFS) WalkParent(r *Resolver, path string) (Location, string, bool, error) {
	if path == "" {
		return Location{}, "", false, abi.ENOENT
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	w := &walkState{v: v, r: r}
	return w.parent(path)
}

func (w *walkState) parent(path string) (Location, string, bool, error) {
	if path == "" {
		return Location{}, "", false, abi.ENOENT
	}
	comps := splitPath(path)
	trailing := strings.HasSuffix(path, "/") && len(comps) > 0
	if len(comps) == 0 {
		return w.start(path), "", trailing, nil
	}
	dir := w.start(path)
	if len(comps) > 1 {
		dirPath := strings.Join(comps[:len(comps)-1], "/") + "/"
		if strings.HasPrefix(path, "/") {
			dirPath = "/" + dirPath
		}
		var err error
		if dir, err = w.walk(dirPath, true); err != nil {
			return Location{}, "", false, err
		}
	}
	a := dir.Dentry.Inode.Attr()
	if !a.IsDir() {
		return Location{}, "", false, abi.ENOTDIR
	}
	name := comps[len(comps)-1]
	if len(name) > abi.NAME_MAX {
		return Location{}, "", false, abi.ENAMETOOLONG
	}
	return dir, name, trailing, nil
}

// Resolved is the outcome of Resolve.
type Resolved struct {
	Dir      Location // the directory holding the last component
	Name     string   // the last component ("" for "/")
	Found    Location // what the name refers to; not Valid if it does not exist
	Trailing bool     // the path ended in "/"
}

// Resolve walks path for an operation that may create its last component.
// If follow is set, a symlink in the last component is followed, possibly
// to a name that does not exist yet (open(O_CREAT) through a dangling
// symlink creates its target); Dir and Name then describe the target.
func (v *VFS) Resolve(r *Resolver, path string, follow bool) (Resolved, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.resolve(r, path, follow)
}

func (v *VFS) resolve(r *Resolver, path string, follow bool) (Resolved, error) {
	if path == "" {
		return Resolved{}, abi.ENOENT
	}
	w := &walkState{v: v, r: r}
	for {
		dir, name, trailing, err := w.parent(path)
		if err != nil {
			return Resolved{}, err
		}
		res := Resolved{Dir: dir, Name: name, Trailing: trailing}
		if name == "" {
			res.Found = dir
			return res, nil
		}
		found, err := w.step(dir, name)
		if err == abi.ENOENT {
			return res, nil
		}
		if err != nil {
			return Resolved{}, err
		}
		res.Found = found
		a := found.Dentry.Inode.Attr()
		if !a.IsSymlink() || !(follow || trailing) || name == "." || name == ".." {
			if trailing && !a.IsDir() && !a.IsSymlink() {
				return Resolved{}, abi.ENOTDIR
			}
			return res, nil
		}
		if j, ok := found.Dentry.Inode.(LinkJumper); ok {
			to, jumps, err := j.Jump()
			if err != nil {
				return Resolved{}, err
			}
			if jumps {
				res.Found, res.Dir, res.Name = to, to, to.Dentry.Name
				if to.Dentry.Parent != nil && to.Dentry != to.Mount.Root {
					res.Dir = Location{to.Mount, to.Dentry.Parent}
				}
				return res, nil
			}
		}
		target, err := w.readlink(found)
		if err != nil {
			return Resolved{}, err
		}
		sub := *w.r
		sub.Start = dir
		w.r = &sub
		path = target
		if trailing {
			path += "/"
		}
	}
}
