package kernel

import (
	"fmt"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// newDevFS returns /dev as devtmpfs would populate it for a container: the
// memory devices, the /proc/self/fd links, and /dev/shm.
func (k *Kernel) newDevFS() (*vfs.MemFS, error) {
	now := k.RealtimeNow()
	fs := vfs.NewMemFS(k.vfs.AnonDev(), 0o755, k.RealtimeNow)
	fs.SetType("devtmpfs")
	root := fs.Root()
	nodes := []struct {
		name   string
		mode   uint32
		rdev   uint64
		target string
	}{
		{"null", abi.S_IFCHR | 0o666, abi.Makedev(vfs.MemMajor, vfs.NullMinor), ""},
		{"zero", abi.S_IFCHR | 0o666, abi.Makedev(vfs.MemMajor, vfs.ZeroMinor), ""},
		{"full", abi.S_IFCHR | 0o666, abi.Makedev(vfs.MemMajor, vfs.FullMinor), ""},
		{"random", abi.S_IFCHR | 0o666, abi.Makedev(vfs.MemMajor, vfs.RandomMinor), ""},
		{"urandom", abi.S_IFCHR | 0o666, abi.Makedev(vfs.MemMajor, vfs.URandomMinor), ""},
		{"tty", abi.S_IFCHR | 0o666, abi.Makedev(abi.TTYAUXMajor, abi.CurTTYMinor), ""},
		{"ptmx", abi.S_IFCHR | 0o666, abi.Makedev(abi.TTYAUXMajor, abi.PtmxMinor), ""},
		{"fd", abi.S_IFLNK | 0o777, 0, "/proc/self/fd"},
		{"stdin", abi.S_IFLNK | 0o777, 0, "/proc/self/fd/0"},
		{"stdout", abi.S_IFLNK | 0o777, 0, "/proc/self/fd/1"},
		{"stderr", abi.S_IFLNK | 0o777, 0, "/proc/self/fd/2"},
		{"shm", abi.S_IFDIR | 0o1777, 0, ""},
		{"pts", abi.S_IFDIR | 0o755, 0, ""},
	}
	for _, n := range nodes {
		if _, err := root.Create(n.name, &vfs.NewInode{Mode: n.mode, Rdev: n.rdev, Target: n.target, Now: now}); err != nil {
			return nil, fmt.Errorf("/dev/%s: %w", n.name, err)
		}
	}
	return fs, nil
}

// MountStandard mounts what a container's root gets: proc (the file system
// the caller made, kernel/procfs) on /proc, devtmpfs on /dev and tmpfs on
// /tmp and /dev/shm. A mount point missing from a writable in-memory root
// is created; one missing from a host directory is skipped, so that the
// host directory is not changed.
func (k *Kernel) MountStandard(proc vfs.FileSystem) error {
	if _, err := k.mountAt("/proc", proc, "proc", false); err != nil {
		return err
	}
	dev, err := k.newDevFS()
	if err != nil {
		return err
	}
	if _, err := k.mountAt("/dev", dev, "devtmpfs", false); err != nil {
		return err
	}
	if _, err := k.mountAt("/dev/shm", vfs.NewMemFS(k.vfs.AnonDev(), 0o1777, k.RealtimeNow), "shm", false); err != nil {
		return err
	}
	if _, err := k.mountAt("/tmp", vfs.NewMemFS(k.vfs.AnonDev(), 0o1777, k.RealtimeNow), "tmpfs", false); err != nil {
		return err
	}
	return nil
}

// Mount mounts fs at the guest path target (creating the directory in an
// in-memory root if it is missing).
func (k *Kernel) Mount(target string, fs vfs.FileSystem, source string, readOnly bool) error {
	ok, err := k.mountAt(target, fs, source, readOnly)
	if err == nil && !ok {
		err = fmt.Errorf("mount point %s does not exist in the root", target)
	}
	return err
}

func (k *Kernel) mountAt(target string, fs vfs.FileSystem, source string, readOnly bool) (bool, error) {
	root := k.vfs.Root()
	r := &vfs.Resolver{Creds: &vfs.Creds{}, Root: root, Start: root}
	l, err := k.vfs.Walk(r, target, true)
	if err == abi.ENOENT && k.cfg.Root.CacheDentries() {
		if err := k.vfs.Mknod(r, target, abi.S_IFDIR|0o755, 0, ""); err != nil {
			return false, fmt.Errorf("creating mount point %s: %w", target, err)
		}
		l, err = k.vfs.Walk(r, target, true)
	}
	if err == abi.ENOENT {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mount point %s: %w", target, err)
	}
	if _, err := k.vfs.Mount(l, fs, source, readOnly); err != nil {
		return false, fmt.Errorf("mount point %s: %w", target, err)
	}
	return true, nil
}

// LookPath finds a command the way a shell (and docker run) does: a name
// with a slash is used as it is, anything else is searched for in the
// directories of path. It returns the guest path of the first executable
// regular file.
func (k *Kernel) LookPath(name, path string, creds Credentials) (string, error) {
	root := k.vfs.Root()
	r := &vfs.Resolver{Creds: creds.VFS(), Root: root, Start: root}
	check := func(p string) error {
		_, a, err := k.vfs.Lookup(r, p, true)
		if err != nil {
			return err
		}
		if !a.IsRegular() {
			return abi.EACCES
		}
		return vfs.CheckAccess(creds.VFS(), &a, vfs.MayExec)
	}
	for _, c := range name {
		if c == '/' {
			return name, check(name)
		}
	}
	var first error
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != ':' {
			continue
		}
		dir := path[start:i]
		start = i + 1
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name
		err := check(p)
		if err == nil {
			return p, nil
		}
		if first == nil && err != abi.ENOENT && err != abi.ENOTDIR {
			first = err
		}
	}
	if first != nil {
		return "", first
	}
	return "", abi.ENOENT
}
