package kernel

import (
	"encoding/binary"
	"io"
	"strings"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// AddressSpace implements observe.CodeTask.
func (t *Task) AddressSpace() uint64 { return t.mm.id }

// Mapping implements observe.CodeTask.
func (t *Task) Mapping(addr uint64) (start, end, offset uint64, path string, ino uint64, ok bool) {
	for _, v := range t.mm.as.VMAs() {
		if addr >= v.Start && addr < v.End {
			if v.Ino == 0 || !strings.HasPrefix(v.Name, "/") {
				return v.Start, v.End, 0, "", 0, true
			}
			return v.Start, v.End, v.Offset, v.Name, v.Ino, true
		}
	}
	return 0, 0, 0, "", 0, false
}

// maxTracedFile bounds what ReadFile reads: symbol tables of programs,
// not data files.
const maxTracedFile = 1 << 30

// ReadFile implements observe.CodeTask.
func (t *Task) ReadFile(path string) ([]byte, error) {
	root := t.fs.Root()
	r := &vfs.Resolver{Creds: &vfs.Creds{}, Root: root, Start: root}
	f, err := t.k.vfs.Open(t, r, path, abi.O_RDONLY|abi.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.DecRef()
	size := f.Inode.Attr().Size
	if size > maxTracedFile {
		return nil, abi.EFBIG
	}
	b := make([]byte, size)
	n, err := io.ReadFull(io.NewSectionReader(fileReader{t, f}, 0, size), b)
	return b[:n], err
}

// Slept implements observe.Task.
func (t *Task) Slept() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blocked
}

// TGID returns the id of the task's thread group, its process id.
func (t *Task) TGID() int32 { return t.proc.pid }

// FDPath returns what /proc/self/fd/N names for the task's descriptor fd,
// and whether fd is open.
func (t *Task) FDPath(fd int32) (string, bool) {
	f, err := t.fds.Get(fd)
	if err != nil {
		return "", false
	}
	defer f.DecRef()
	return t.FilePath(f.Loc, f.Name), true
}

// FilePath names a file as /proc/PID/fd shows it: its path from the task's
// root, or, for files outside the tree, Linux's name for them
// ("pipe:[N]", "anon_inode:[eventfd]").
func (t *Task) FilePath(loc vfs.Location, name string) string {
	if !loc.Valid() {
		return name
	}
	root := t.k.vfs.Root()
	if t.fs != nil {
		root = t.fs.Root()
	}
	p, _ := t.k.vfs.Path(root, loc)
	return p
}

// traceExit reports the task's end to the tracer.
func (t *Task) traceExit() {
	tr := t.k.cfg.Tracer
	if tr == nil {
		return
	}
	t.k.mu.Lock()
	st := t.proc.status
	if t.ownExit != nil && !t.proc.groupExiting {
		st = *t.ownExit
	}
	t.k.mu.Unlock()
	if st.IsSignaled() {
		tr.Exit(t, false, 0, st.Signal(), st&0x80 != 0)
		return
	}
	tr.Exit(t, true, st.ExitCode(), 0, false)
}

// traceIgnoredLocked keeps, for the tracer, a signal t's process throws
// away because it ignores it. strace shows those too: a traced process
// stops for every signal but SIGKILL, ignored or not (sig_ignored). The
// kernel's lock is held.
func (k *Kernel) traceIgnoredLocked(t *Task, info abi.Siginfo) {
	if k.cfg.Tracer == nil {
		return
	}
	t.ignoredSigs = append(t.ignoredSigs, info)
	t.sigHint.Store(true)
}

// traceIgnored reports the ignored signals traceIgnoredLocked kept, where
// strace would show them: when the task next returns to its program.
func (t *Task) traceIgnored() {
	tr := t.k.cfg.Tracer
	if tr == nil {
		return
	}
	t.k.mu.Lock()
	sigs := t.ignoredSigs
	t.ignoredSigs = nil
	t.k.mu.Unlock()
	for _, info := range sigs {
		tr.Signal(t, info)
	}
}

// auxvValue returns the value of key in an auxiliary vector, or 0.
func auxvValue(auxv []byte, key uint64) uint64 {
	for i := 0; i+16 <= len(auxv); i += 16 {
		if binary.LittleEndian.Uint64(auxv[i:]) == key {
			return binary.LittleEndian.Uint64(auxv[i+8:])
		}
	}
	return 0
}
