package vfs

import (
	"paddock/abi"
)

// Inode is a file system object. Methods that do not apply to the inode's
// type return the errno Linux gives (embed InodeBase for the defaults).
// Directory methods receive names that are single, valid components (no
// "/", not "." or ".."), already checked by the caller.
type Inode interface {
	// Attr returns the inode's metadata.
	Attr() Attr
	// SetAttr changes metadata. A size change applies to regular files.
	SetAttr(s *SetAttr) error

	// Lookup finds name in a directory: ENOENT if absent.
	Lookup(name string) (Inode, error)
	// ReadDir lists a directory without "." and "..".
	ReadDir() ([]Dirent, error)
	// Create makes a new inode in a directory: a regular file, directory,
	// symlink (target), FIFO, socket or device node, as n.Mode says.
	Create(name string, n *NewInode) (Inode, error)
	// Link adds a name for the existing inode target.
	Link(name string, target Inode) error
	// Unlink removes a non-directory name; Rmdir removes an empty
	// directory (ENOTEMPTY otherwise).
	Unlink(name string) error
	Rmdir(name string) error
	// Rename moves name to newName in newDir (an inode of the same file
	// system), replacing what is there as rename(2) allows; the caller
	// has checked the type rules (EISDIR, ENOTDIR, ENOTEMPTY ...) and
	// RENAME_NOREPLACE; exchange swaps the two names.
	Rename(name string, newDir Inode, newName string, exchange bool) error

	// Readlink returns a symlink's target.
	Readlink() (string, error)

	// Open returns the operations for a new open file description of a
	// regular file, directory listing or special file. Device and FIFO
	// nodes are opened by the VFS, not here.
	Open(flags uint32) (FileOps, error)
}

// Reopener is an Inode outside the tree (a host standard file) that a
// path through /proc/PID/fd opens again as itself, whatever its type
// says.
type Reopener interface {
	Reopen(flags uint32) (FileOps, error)
}

// TmpfileCreator is a directory Inode that can make an unnamed regular
// file in its file system (O_TMPFILE, Linux's ->tmpfile).
type TmpfileCreator interface {
	CreateTmpfile(n *NewInode) (Inode, error)
}

// Dirent is one directory entry.
type Dirent struct {
	Name string
	Ino  uint64
	Type uint8 // DT_*
}

// NewInode describes an inode to create.
type NewInode struct {
	Mode   uint32 // type and permission bits, umask applied
	UID    uint32
	GID    uint32
	Rdev   uint64 // device nodes
	Target string // symlinks
	Now    abi.Timespec
}

// InodeBase gives an Inode the Linux errors for operations its type lacks.
type InodeBase struct{}

// SetAttr refuses changes.
func (InodeBase) SetAttr(*SetAttr) error { return abi.EPERM }

// Lookup: not a directory.
func (InodeBase) Lookup(string) (Inode, error) { return nil, abi.ENOTDIR }

// ReadDir: not a directory.
func (InodeBase) ReadDir() ([]Dirent, error) { return nil, abi.ENOTDIR }

// Create: not a directory.
func (InodeBase) Create(string, *NewInode) (Inode, error) { return nil, abi.ENOTDIR }

// Link: not a directory.
func (InodeBase) Link(string, Inode) error { return abi.ENOTDIR }

// Unlink: not a directory.
func (InodeBase) Unlink(string) error { return abi.ENOTDIR }

// Rmdir: not a directory.
func (InodeBase) Rmdir(string) error { return abi.ENOTDIR }

// Rename: not a directory.
func (InodeBase) Rename(string, Inode, string, bool) error { return abi.ENOTDIR }

// Readlink: not a symlink.
func (InodeBase) Readlink() (string, error) { return "", abi.EINVAL }

// Open: nothing to open.
func (InodeBase) Open(uint32) (FileOps, error) { return nil, abi.ENXIO }
