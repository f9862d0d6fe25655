package kernel

import (
	"paddock/kernel/vfs"
)

// Credentials are a process's user and group ids (real, effective, saved
// and file-system) and supplementary groups.
type Credentials struct {
	RealUID, EffectiveUID, SavedUID, FSUID uint32
	RealGID, EffectiveGID, SavedGID, FSGID uint32
	Groups                                 []uint32
}

// NewCredentials returns credentials with every id set to uid and gid and
// no supplementary groups, as Linux's first process starts.
func NewCredentials(uid, gid uint32) Credentials {
	return Credentials{uid, uid, uid, uid, gid, gid, gid, gid, nil}
}

// VFS returns the credentials file operations use: the file-system ids.
func (c *Credentials) VFS() *vfs.Creds {
	return &vfs.Creds{UID: c.FSUID, GID: c.FSGID, RUID: c.RealUID, RGID: c.RealGID, Groups: c.Groups}
}

// clone returns a copy that does not share the group slice.
func (c Credentials) clone() Credentials {
	c.Groups = append([]uint32(nil), c.Groups...)
	return c
}

// Privileged reports whether the effective user is root, who holds every
// capability in paddock's model.
func (c *Credentials) Privileged() bool { return c.EffectiveUID == 0 }
