package kernel

import (
	"sort"
	"sync"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// FDTable maps a process's file descriptors to open files. Threads created
// with CLONE_FILES share one.
type FDTable struct {
	mu    sync.Mutex
	users int // tasks sharing the table (CLONE_FILES)
	files map[int32]fdEntry
	// slots is the table's capacity, Linux's max_fds: 64 to start with,
	// grown to the next power of two above any fd installed beyond it, and
	// never shrunk. select looks no further than this (core_sys_select),
	// and /proc/PID/status reports it as FDSize.
	slots int32
	// locks is the lock manager whose POSIX locks this table owns: they go
	// when any descriptor of the file is closed (locks_remove_posix).
	locks *vfs.Locks
}

type fdEntry struct {
	file    *vfs.File
	cloexec bool
}

// NewFDTable returns an empty table with one user.
func NewFDTable(locks *vfs.Locks) *FDTable {
	return &FDTable{users: 1, files: map[int32]fdEntry{}, slots: minSlots, locks: locks}
}

// minSlots is the capacity of a new table (NR_OPEN_DEFAULT, BITS_PER_LONG).
const minSlots = 64

// slotsFor is the capacity a table grows to so that it holds fd: the
// smallest power of two above fd, as expand_fdtable allocates.
func slotsFor(fd int32) int32 {
	n := int32(minSlots)
	for fd >= n {
		n *= 2
	}
	return n
}

// grow makes room for fd; t.mu is held.
func (t *FDTable) grow(fd int32) {
	if fd >= t.slots {
		t.slots = slotsFor(fd)
	}
}

// share adds a user (clone with CLONE_FILES).
func (t *FDTable) share() *FDTable {
	t.mu.Lock()
	t.users++
	t.mu.Unlock()
	return t
}

// release drops a user; the last one closes every descriptor.
func (t *FDTable) release() {
	t.mu.Lock()
	t.users--
	last := t.users == 0
	t.mu.Unlock()
	if last {
		t.CloseAll()
	}
}

// Get returns the file for fd (with a new reference the caller must drop),
// or EBADF.
func (t *FDTable) Get(fd int32) (*vfs.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.files[fd]
	if !ok {
		return nil, abi.EBADF
	}
	e.file.IncRef()
	return e.file, nil
}

// CloseOnExec reports fd's FD_CLOEXEC flag.
func (t *FDTable) CloseOnExec(fd int32) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.files[fd]
	if !ok {
		return false, abi.EBADF
	}
	return e.cloexec, nil
}

// SetCloseOnExec sets or clears fd's FD_CLOEXEC flag.
func (t *FDTable) SetCloseOnExec(fd int32, on bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.files[fd]
	if !ok {
		return abi.EBADF
	}
	e.cloexec = on
	t.files[fd] = e
	return nil
}

// Install puts f at the lowest free descriptor at or above min and below
// limit (RLIMIT_NOFILE), or fails with EMFILE. The table takes its own
// reference.
func (t *FDTable) Install(f *vfs.File, min int32, cloexec bool, limit uint64) (int32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for fd := min; ; fd++ {
		if uint64(fd) >= limit || fd < 0 {
			return -1, abi.EMFILE
		}
		if _, used := t.files[fd]; !used {
			f.IncRef()
			t.files[fd] = fdEntry{f, cloexec}
			t.grow(fd)
			return fd, nil
		}
	}
}

// InstallAt puts f at fd, closing what was there (dup2, dup3).
func (t *FDTable) InstallAt(fd int32, f *vfs.File, cloexec bool) {
	t.mu.Lock()
	old, had := t.files[fd]
	f.IncRef()
	t.files[fd] = fdEntry{f, cloexec}
	t.grow(fd)
	t.mu.Unlock()
	if had {
		t.closeFile(old.file)
	}
}

func (t *FDTable) closeFile(f *vfs.File) {
	t.locks.ReleasePOSIX(f, t)
	f.DecRef()
}

// Close closes fd.
func (t *FDTable) Close(fd int32) error {
	t.mu.Lock()
	e, ok := t.files[fd]
	if ok {
		delete(t.files, fd)
	}
	t.mu.Unlock()
	if !ok {
		return abi.EBADF
	}
	t.closeFile(e.file)
	return nil
}

// CloseRange closes descriptors first..last (close_range without flags),
// or sets their close-on-exec flag.
func (t *FDTable) CloseRange(first, last uint32, cloexec bool) {
	t.mu.Lock()
	var victims []*vfs.File
	for fd, e := range t.files {
		if uint32(fd) >= first && uint32(fd) <= last {
			if cloexec {
				e.cloexec = true
				t.files[fd] = e
			} else {
				victims = append(victims, e.file)
				delete(t.files, fd)
			}
		}
	}
	t.mu.Unlock()
	for _, f := range victims {
		t.closeFile(f)
	}
}

// CloseExec closes every close-on-exec descriptor (execve).
func (t *FDTable) CloseExec() {
	t.mu.Lock()
	var victims []*vfs.File
	for fd, e := range t.files {
		if e.cloexec {
			victims = append(victims, e.file)
			delete(t.files, fd)
		}
	}
	t.mu.Unlock()
	for _, f := range victims {
		t.closeFile(f)
	}
}

// CloseAll closes everything (process exit).
func (t *FDTable) CloseAll() {
	t.mu.Lock()
	files := t.files
	t.files = map[int32]fdEntry{}
	t.mu.Unlock()
	for _, e := range files {
		t.closeFile(e.file)
	}
}

// Fork returns a copy of the table referring to the same open files. Its
// capacity is not the parent's but what the open descriptors need, counted
// in whole 64-bit words of the open-fd bitmap (dup_fd, count_open_files).
func (t *FDTable) Fork() *FDTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := &FDTable{users: 1, files: make(map[int32]fdEntry, len(t.files)), slots: minSlots, locks: t.locks}
	for fd, e := range t.files {
		e.file.IncRef()
		n.files[fd] = e
		n.grow(fd | (minSlots - 1))
	}
	return n
}

// FDs returns the open descriptors in increasing order.
func (t *FDTable) FDs() []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int32, 0, len(t.files))
	for fd := range t.files {
		out = append(out, fd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Count returns the number of open descriptors.
func (t *FDTable) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.files)
}

// Size returns the table's capacity, max_fds.
func (t *FDTable) Size() int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.slots
}
