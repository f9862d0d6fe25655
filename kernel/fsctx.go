package kernel

import (
	"sync"

	"paddock/kernel/vfs"
)

// FSContext is a process's root and working directories and umask. Threads
// created with CLONE_FS share one.
type FSContext struct {
	mu    sync.Mutex
	root  vfs.Location
	cwd   vfs.Location
	umask uint32
}

// Root returns the root directory.
func (c *FSContext) Root() vfs.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root
}

// Cwd returns the working directory.
func (c *FSContext) Cwd() vfs.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cwd
}

// SetCwd changes the working directory.
func (c *FSContext) SetCwd(l vfs.Location) {
	c.mu.Lock()
	c.cwd = l
	c.mu.Unlock()
}

// SetRoot changes the root directory (chroot).
func (c *FSContext) SetRoot(l vfs.Location) {
	c.mu.Lock()
	c.root = l
	c.mu.Unlock()
}

// Umask returns the file mode creation mask.
func (c *FSContext) Umask() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.umask
}

// SetUmask sets the mask and returns the old one.
func (c *FSContext) SetUmask(m uint32) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.umask
	c.umask = m & 0o777
	return old
}

func (c *FSContext) fork() *FSContext {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &FSContext{root: c.root, cwd: c.cwd, umask: c.umask}
}
