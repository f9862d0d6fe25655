package kernel

import (
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// WaitStatus is a wait(2) status word.
type WaitStatus uint32

// Exited returns the status of a process that called exit(code).
func Exited(code int) WaitStatus { return WaitStatus(code&0xff) << 8 }

// Signaled returns the status of a process killed by sig.
func Signaled(sig abi.Signal, core bool) WaitStatus {
	s := WaitStatus(sig)
	if core {
		s |= 0x80
	}
	return s
}

// IsExited reports a normal exit; ExitCode is its code.
func (w WaitStatus) IsExited() bool { return w&0x7f == 0 }

// ExitCode returns the exit code of a normal exit.
func (w WaitStatus) ExitCode() int { return int(w>>8) & 0xff }

// IsSignaled reports death by a signal; Signal is which.
func (w WaitStatus) IsSignaled() bool { return w&0x7f != 0 && w&0x7f != 0x7f }

// Signal returns the signal that killed the process.
func (w WaitStatus) Signal() abi.Signal { return abi.Signal(w & 0x7f) }

// Process is a thread group: what getpid names.
type Process struct {
	k   *Kernel
	pid int32

	mu       sync.Mutex
	parent   *Process
	children map[int32]*Process
	tasks    []*Task
	limits   Limits
	creds    Credentials
	comm     string
	pgid     int32
	sid      int32
	start    time.Duration // uptime at creation
	exiting  bool
	zombie   bool
	// prctl flags.
	notDumpable bool
	noNewPrivs  bool
	status      WaitStatus
	// CPU time of tasks that have exited, and of reaped children.
	deadUser, deadSys   time.Duration
	childUser, childSys time.Duration

	fds *FDTable
	fs  *FSContext
}

// PID returns the process id.
func (p *Process) PID() int32 { return p.pid }

// Kernel returns the kernel the process runs in.
func (p *Process) Kernel() *Kernel { return p.k }

// FDs returns the descriptor table.
func (p *Process) FDs() *FDTable { return p.fds }

// FS returns the root, working directory and umask.
func (p *Process) FS() *FSContext { return p.fs }

// Creds returns a copy of the credentials.
func (p *Process) Creds() Credentials {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.creds.clone()
}

// SetCreds replaces the credentials.
func (p *Process) SetCreds(c Credentials) {
	p.mu.Lock()
	p.creds = c
	p.mu.Unlock()
}

// Comm returns the command name (/proc/[pid]/comm).
func (p *Process) Comm() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.comm
}

// SetComm sets the command name, truncated to 15 bytes as TASK_COMM_LEN
// requires.
func (p *Process) SetComm(s string) {
	if len(s) > 15 {
		s = s[:15]
	}
	p.mu.Lock()
	p.comm = s
	p.mu.Unlock()
}

// Parent returns the parent process, or nil for the first process.
func (p *Process) Parent() *Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parent
}

// PPID returns the parent's pid, 0 for the first process.
func (p *Process) PPID() int32 {
	if pp := p.Parent(); pp != nil {
		return pp.pid
	}
	return 0
}

// Pgid returns the process group id.
func (p *Process) Pgid() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pgid
}

// Sid returns the session id.
func (p *Process) Sid() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sid
}

// Leader returns the thread group leader task.
func (p *Process) Leader() *Task {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.tasks) == 0 {
		return nil
	}
	return p.tasks[0]
}

// CPUTime returns the user and system CPU time of all the process's
// threads, live and exited.
func (p *Process) CPUTime() (user, sys time.Duration) {
	p.mu.Lock()
	tasks := append([]*Task(nil), p.tasks...)
	user, sys = p.deadUser, p.deadSys
	p.mu.Unlock()
	for _, t := range tasks {
		u, s := t.CPUTime()
		user += u
		sys += s
	}
	return user, sys
}

// StartTime returns the kernel uptime at which the process was created.
func (p *Process) StartTime() time.Duration { return p.start }

// newProcess creates a process with one task and registers both.
func (k *Kernel) newProcess(parent *Process, mm *MM, fds *FDTable, fs *FSContext, creds Credentials, limits Limits) (*Process, *Task) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pid := k.allocPID()
	p := &Process{k: k, pid: pid, parent: parent, children: map[int32]*Process{}, limits: limits, creds: creds,
		fds: fds, fs: fs, start: k.Uptime(), pgid: pid, sid: pid}
	if parent != nil {
		parent.mu.Lock()
		parent.children[pid] = p
		p.pgid, p.sid, p.comm = parent.pgid, parent.sid, parent.comm
		parent.mu.Unlock()
	}
	t := &Task{k: k, tid: pid, proc: p, mm: mm}
	p.tasks = []*Task{t}
	k.procs[pid] = p
	k.tasks[pid] = t
	return p, t
}

// exitProcess ends p with status: its files are closed, its memory freed,
// and it becomes a zombie for its parent to reap; the first process's exit
// ends the kernel.
func (p *Process) exitProcess(status WaitStatus) {
	p.mu.Lock()
	if p.exiting {
		p.mu.Unlock()
		return
	}
	p.exiting = true
	p.status = status
	p.mu.Unlock()
	p.fds.CloseAll()
	k := p.k
	k.mu.Lock()
	for _, t := range p.tasks {
		delete(k.tasks, t.tid)
	}
	isInit := p == k.init
	k.mu.Unlock()
	p.mu.Lock()
	p.zombie = true
	p.mu.Unlock()
	if isInit {
		k.initStatus = status
		close(k.done)
	}
}

// Status returns the wait status of an exited process.
func (p *Process) Status() WaitStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Resolver returns a path resolver for path in t's process: relative paths
// start at the working directory, or at the directory open as dirfd unless
// dirfd is AT_FDCWD; an absolute path ignores dirfd.
func (t *Task) Resolver(dirfd int32, path string) (*vfs.Resolver, error) {
	p := t.proc
	creds := p.Creds()
	r := &vfs.Resolver{Creds: creds.VFS(), Root: p.fs.Root(), Start: p.fs.Cwd()}
	if dirfd == abi.AT_FDCWD || len(path) > 0 && path[0] == '/' {
		return r, nil
	}
	f, err := p.fds.Get(dirfd)
	if err != nil {
		return nil, err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		return nil, abi.ENOTDIR
	}
	a := f.Inode.Attr()
	if !a.IsDir() {
		return nil, abi.ENOTDIR
	}
	r.Start = f.Loc
	return r, nil
}
