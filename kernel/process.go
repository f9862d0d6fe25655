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

// Stopped and Continued are the statuses wait reports for job control.
func Stopped(sig abi.Signal) WaitStatus { return WaitStatus(sig)<<8 | 0x7f }

// Continued is the status of a process resumed by SIGCONT.
const Continued WaitStatus = 0xffff

// IsExited reports a normal exit; ExitCode is its code.
func (w WaitStatus) IsExited() bool { return w&0x7f == 0 }

// ExitCode returns the exit code of a normal exit.
func (w WaitStatus) ExitCode() int { return int(w>>8) & 0xff }

// IsSignaled reports death by a signal; Signal is which.
func (w WaitStatus) IsSignaled() bool { return w&0x7f != 0 && w&0x7f != 0x7f }

// Signal returns the signal that killed the process.
func (w WaitStatus) Signal() abi.Signal { return abi.Signal(w & 0x7f) }

// childCode returns the si_code of SIGCHLD and waitid for an exit status.
func (w WaitStatus) childCode() (int32, int32) {
	switch {
	case w.IsExited():
		return abi.CLD_EXITED, int32(w.ExitCode())
	case w&0x80 != 0:
		return abi.CLD_DUMPED, int32(w.Signal())
	}
	return abi.CLD_KILLED, int32(w.Signal())
}

type procState int

const (
	procRunning procState = iota
	procZombie
	procDead
)

// Process is a thread group: what getpid names.
type Process struct {
	k   *Kernel
	pid int32

	// Guarded by the kernel's lock.
	parent *Process
	// parentThread is the thread of parent that made this process (nil:
	// none in particular, after CLONE_PARENT or once that thread has
	// exited): its exit sends PR_SET_PDEATHSIG's signal.
	parentThread  *Task
	children      map[int32]*Process
	tasks         []*Task
	state         procState
	status        WaitStatus
	exitSignal    abi.Signal
	groupExiting  bool
	sighand       *SigHand
	sharedPending pendingSignals
	pgrp          *ProcessGroup
	ctty          *TTY // the controlling terminal, inherited over fork
	subreaper     bool
	execed        bool
	debugStarted  bool // the debugger has seen the first instruction
	// Job control: a group stop in progress or done, and what the parent
	// has yet to hear of through wait.
	stopping      bool
	stopSig       abi.Signal
	stopNotified  bool
	waitStop      bool
	waitCont      bool
	justContinued bool
	childWait     vfs.Queue
	// signalQueue announces every signal queued for the process or one of
	// its threads, for signalfd (signalfd_notify).
	signalQueue vfs.Queue

	mu     sync.Mutex
	limits Limits
	// cpuWatch says a goroutine enforces RLIMIT_CPU (watchCPULimit).
	cpuWatch bool
	creds    Credentials
	comm     string
	start    time.Duration // uptime at creation
	// prctl flags.
	notDumpable bool
	noNewPrivs  bool
	// CPU time of tasks that have exited, and of reaped children.
	deadUser, deadSys   time.Duration
	childUser, childSys time.Duration
	timers              processTimers
}

// PID returns the process id.
func (p *Process) PID() int32 { return p.pid }

// Kernel returns the kernel the process runs in.
func (p *Process) Kernel() *Kernel { return p.k }

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
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.parent
}

// PPID returns the parent's pid, 0 for the first process.
func (p *Process) PPID() int32 {
	if pp := p.Parent(); pp != nil {
		return pp.pid
	}
	return 0
}

// Leader returns the thread group's first live task, or nil.
func (p *Process) Leader() *Task {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	if len(p.tasks) == 0 {
		return nil
	}
	return p.tasks[0]
}

// Tasks returns the live tasks.
func (p *Process) Tasks() []*Task {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return append([]*Task(nil), p.tasks...)
}

// CPUTime returns the user and system CPU time of all the process's
// threads, live and exited.
func (p *Process) CPUTime() (user, sys time.Duration) {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.cpuTimeLocked()
}

// cpuTimeLocked is CPUTime for callers holding k.mu.
func (p *Process) cpuTimeLocked() (user, sys time.Duration) {
	p.mu.Lock()
	user, sys = p.deadUser, p.deadSys
	p.mu.Unlock()
	for _, t := range p.tasks {
		u, s := t.CPUTime()
		user += u
		sys += s
	}
	return user, sys
}

// StartTime returns the kernel uptime at which the process was created.
func (p *Process) StartTime() time.Duration { return p.start }

// Zombie reports whether the process has exited and waits to be reaped.
func (p *Process) Zombie() bool {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.state == procZombie
}

// exited reports whether the process has ended, reaped or not.
func (p *Process) exited() bool {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.state >= procZombie
}

// Status returns the wait status of an exited process.
func (p *Process) Status() WaitStatus {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.status
}

// GroupExit ends every thread of p with status (exit_group, a fatal
// signal). The first caller's status wins.
func (k *Kernel) GroupExit(p *Process, status WaitStatus) {
	k.mu.Lock()
	k.groupExitLocked(p, status)
	tasks := append([]*Task(nil), p.tasks...)
	k.mu.Unlock()
	for _, t := range tasks {
		t.wake()
	}
}

func (k *Kernel) groupExitLocked(p *Process, status WaitStatus) {
	if p.groupExiting || p.state != procRunning {
		return
	}
	p.groupExiting = true
	p.status = status
	p.stopping = false
	for _, t := range p.tasks {
		t.killed = true
	}
	k.stopCond.Broadcast()
}

// ExitGroup ends the task's process with exit code code (exit_group).
func (t *Task) ExitGroup(code int) {
	t.k.GroupExit(t.proc, Exited(code))
	t.next = runExit{}
}

// ExitThread ends the calling thread (exit); the last thread's exit ends
// the process with code.
func (t *Task) ExitThread(code int) {
	t.k.mu.Lock()
	if !t.proc.groupExiting {
		t.proc.status = Exited(code)
	}
	t.k.mu.Unlock()
	st := Exited(code)
	t.ownExit = &st
	t.next = runExit{}
}

// exit ends the task after its run loop: the thread's exit duties, then the
// process's if it was the last thread. The task holds the engine.
func (t *Task) exit() {
	k := t.k
	mm := t.mm
	t.exitRobustList()
	if t.clearChildTID != 0 && mm.shared() {
		// Tell a joining thread: the word goes to 0 and one waiter wakes
		// (mm_release).
		if mm.as.WriteUint32(t.clearChildTID, 0) == nil {
			t.FutexWake(t.clearChildTID, false, 1, abi.FUTEX_BITSET_MATCH_ANY)
		}
	}
	t.traceExit()
	// gone is read under the MM's lock (acquire) and the kernel's
	// (Task.Memory): it is written under both.
	k.mu.Lock()
	mm.mu.Lock()
	t.gone = true
	if mm.owner == t {
		mm.owner = nil
	}
	mm.mu.Unlock()
	k.mu.Unlock()
	mm.release(t)
	if t.ctx != nil {
		t.ctx.Free()
	}
	mm.releaseUser()
	if t.vforkDone != nil {
		close(t.vforkDone)
		t.vforkDone = nil
	}
	t.fds.release()
	t.timerStop()

	k.mu.Lock()
	p := t.proc
	for i, x := range p.tasks {
		if x == t {
			p.tasks = append(p.tasks[:i], p.tasks[i+1:]...)
			break
		}
	}
	delete(k.tasks, t.tid)
	u, s := t.CPUTime()
	p.mu.Lock()
	p.deadUser += u
	p.deadSys += s
	p.mu.Unlock()
	var wake []*Task
	last := len(p.tasks) == 0
	if last {
		wake = k.processExitLocked(p)
	} else {
		wake = k.parentThreadExitLocked(p, t)
	}
	k.mu.Unlock()
	if last {
		// Outside the kernel's lock, which a firing timer takes after
		// its own.
		p.timers.stop()
		if d := k.cfg.Debugger; d != nil && p == k.init {
			st := p.Status()
			d.Exited(st.IsExited(), st.ExitCode(), st.Signal())
		}
	}
	for _, w := range wake {
		w.wake()
	}
}

// parentThreadExitLocked is a thread's exit for the children it made:
// they now belong to the process as a whole, and those that asked for a
// parent-death signal get it, as Linux's forget_original_parent sends it
// when the parent thread exits (prctl(2)). The kernel's lock is held.
func (k *Kernel) parentThreadExitLocked(p *Process, t *Task) []*Task {
	var wake []*Task
	for _, c := range p.children {
		if c.parentThread != t {
			continue
		}
		c.parentThread = nil
		wake = append(wake, k.sendParentDeathLocked(c, p)...)
	}
	return wake
}

// sendParentDeathLocked sends c's threads' parent-death signals, from p.
func (k *Kernel) sendParentDeathLocked(c, p *Process) []*Task {
	var wake []*Task
	for _, ct := range c.tasks {
		if ct.pdeathSig != 0 {
			info := abi.Siginfo{Signo: ct.pdeathSig, Code: abi.SI_USER}
			info.SetPid(p.pid, p.Creds().RealUID)
			wake = append(wake, k.sendLocked(c, nil, info)...)
		}
	}
	return wake
}

// processExitLocked makes p a zombie once its last thread is gone:
// children go to a new parent, the parent hears of it, and the first
// process's exit ends the kernel. It returns the tasks to wake.
func (k *Kernel) processExitLocked(p *Process) []*Task {
	p.state = procZombie
	wake := k.exitSessionLeaderLocked(p)
	p.ctty = nil
	// Reparent the children to the nearest subreaper, else to the first
	// process (find_new_reaper), and tell the new parent of zombies.
	for _, c := range p.children {
		np := k.reaperFor(p)
		c.parent = np
		c.exitSignal = abi.SIGCHLD
		delete(p.children, c.pid)
		if np == nil {
			continue
		}
		np.children[c.pid] = c
		c.parentThread = nil
		wake = append(wake, k.sendParentDeathLocked(c, p)...)
		if c.state == procZombie {
			wake = append(wake, k.notifyParentLocked(c)...)
		}
		wake = append(wake, k.checkOrphanLocked(c.pgrp, nil)...)
	}
	wake = append(wake, k.checkOrphanLocked(p.pgrp, p)...)
	if p == k.init {
		k.initStatus = p.status
		for _, q := range k.procs {
			if q != p && q.state == procRunning {
				k.groupExitLocked(q, Signaled(abi.SIGKILL, false))
				wake = append(wake, q.tasks...)
			}
		}
		close(k.done)
		return wake
	}
	return append(wake, k.notifyParentLocked(p)...)
}

// SetSubreaper implements prctl(PR_SET_CHILD_SUBREAPER).
func (p *Process) SetSubreaper(on bool) {
	p.k.mu.Lock()
	p.subreaper = on
	p.k.mu.Unlock()
}

// Subreaper implements prctl(PR_GET_CHILD_SUBREAPER).
func (p *Process) Subreaper() bool {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.subreaper
}

// SetParentDeathSignal implements prctl(PR_SET_PDEATHSIG).
func (t *Task) SetParentDeathSignal(sig abi.Signal) {
	t.k.mu.Lock()
	t.pdeathSig = sig
	t.k.mu.Unlock()
}

// ParentDeathSignal implements prctl(PR_GET_PDEATHSIG).
func (t *Task) ParentDeathSignal() abi.Signal {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.pdeathSig
}

// reaperFor returns the process that adopts the children of p.
func (k *Kernel) reaperFor(p *Process) *Process {
	for a := p.parent; a != nil; a = a.parent {
		if a.subreaper && a.state == procRunning {
			return a
		}
	}
	if k.init != nil && k.init.state == procRunning {
		return k.init
	}
	return nil
}

// notifyParentLocked tells p's parent that p exited: SIGCHLD (or p's exit
// signal) and a wake-up for wait. A parent that ignores SIGCHLD or set
// SA_NOCLDWAIT does not get zombies: p is reaped at once
// (do_notify_parent).
func (k *Kernel) notifyParentLocked(p *Process) []*Task {
	pp := p.parent
	if pp == nil {
		return nil
	}
	defer pp.childWait.Notify(abi.POLLIN)
	sig := p.exitSignal
	if sig == abi.SIGCHLD {
		a := pp.sighand.action(abi.SIGCHLD)
		if a.Handler == abi.SIG_IGN || a.Flags&abi.SA_NOCLDWAIT != 0 {
			k.reapLocked(p)
			if a.Handler == abi.SIG_IGN {
				return nil
			}
		}
	}
	if sig == 0 {
		return nil
	}
	code, status := p.status.childCode()
	return k.sendLocked(pp, nil, k.childInfo(p, sig, code, status))
}

// childInfo builds a SIGCHLD siginfo for p.
func (k *Kernel) childInfo(p *Process, sig abi.Signal, code, status int32) abi.Siginfo {
	info := abi.Siginfo{Signo: sig, Code: code}
	info.SetPid(p.pid, p.Creds().RealUID)
	info.SetStatus(status)
	u, s := p.cpuTimeLocked()
	info.Fields[2] = uint64(u / (time.Second / abi.ClockTick))
	info.Fields[3] = uint64(s / (time.Second / abi.ClockTick))
	return info
}

// reapLocked removes a zombie for good and adds its CPU time to its
// parent's children's time.
func (k *Kernel) reapLocked(p *Process) {
	if p.state != procZombie {
		return
	}
	p.state = procDead
	if pp := p.parent; pp != nil {
		delete(pp.children, p.pid)
		u, s := p.cpuTimeLocked()
		p.mu.Lock()
		cu, cs := p.childUser, p.childSys
		p.mu.Unlock()
		pp.mu.Lock()
		pp.childUser += u + cu
		pp.childSys += s + cs
		pp.mu.Unlock()
	}
	delete(k.procs, p.pid)
	k.leaveGroupLocked(p)
}

// groupStop stops every thread of p for a job-control signal.
func (k *Kernel) groupStop(p *Process, sig abi.Signal) {
	k.mu.Lock()
	if p.stopping || p.groupExiting {
		k.mu.Unlock()
		return
	}
	p.stopping, p.stopSig, p.stopNotified = true, sig, false
	tasks := append([]*Task(nil), p.tasks...)
	k.mu.Unlock()
	for _, t := range tasks {
		t.wake()
	}
}

// mustStop reports whether t should park for a group stop.
func (t *Task) mustStop() bool {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.proc.stopping && !t.killed && !t.proc.groupExiting
}

// parkStopped parks t until its process is continued or killed. The last
// thread to park tells the parent (SIGCHLD with CLD_STOPPED unless the
// parent set SA_NOCLDSTOP, and a status for WUNTRACED).
func (t *Task) parkStopped() {
	k := t.k
	k.mu.Lock()
	p := t.proc
	t.stopped = true
	var wake []*Task
	all := true
	for _, x := range p.tasks {
		all = all && x.stopped
	}
	if all && !p.stopNotified {
		p.stopNotified = true
		p.waitStop, p.waitCont = true, false
		if pp := p.parent; pp != nil {
			if pp.sighand.action(abi.SIGCHLD).Flags&abi.SA_NOCLDSTOP == 0 {
				wake = k.sendLocked(pp, nil, k.childInfo(p, abi.SIGCHLD, abi.CLD_STOPPED, int32(p.stopSig)))
			}
			pp.childWait.Notify(abi.POLLIN)
		}
	}
	sig := p.stopSig
	k.mu.Unlock()
	for _, w := range wake {
		w.wake()
	}
	if tr := k.cfg.Tracer; tr != nil {
		tr.Stopped(t, sig)
	}
	k.mu.Lock()
	for p.stopping && !t.killed && !p.groupExiting {
		k.stopCond.Wait()
	}
	t.stopped = false
	k.mu.Unlock()
}

// continueLocked resumes a stopped process (SIGCONT) and tells the parent
// (CLD_CONTINUED unless SA_NOCLDSTOP, and a status for WCONTINUED).
func (k *Kernel) continueLocked(p *Process) {
	if !p.stopping {
		return
	}
	p.stopping = false
	wasStopped := p.stopNotified
	p.stopNotified = false
	p.justContinued = true
	k.stopCond.Broadcast()
	if !wasStopped {
		return
	}
	p.waitStop, p.waitCont = false, true
	if pp := p.parent; pp != nil {
		if pp.sighand.action(abi.SIGCHLD).Flags&abi.SA_NOCLDSTOP == 0 {
			for _, w := range k.sendLocked(pp, nil, k.childInfo(p, abi.SIGCHLD, abi.CLD_CONTINUED, int32(abi.SIGCONT))) {
				go w.wake()
			}
		}
		pp.childWait.Notify(abi.POLLIN)
	}
}

// Resolver returns a path resolver for path in t's process: relative paths
// start at the working directory, or at the directory open as dirfd unless
// dirfd is AT_FDCWD; an absolute path ignores dirfd.
func (t *Task) Resolver(dirfd int32, path string) (*vfs.Resolver, error) {
	creds := t.proc.Creds()
	r := &vfs.Resolver{Creds: creds.VFS(), Root: t.fs.Root(), Start: t.fs.Cwd(), Caller: t}
	if dirfd == abi.AT_FDCWD || len(path) > 0 && path[0] == '/' {
		return r, nil
	}
	f, err := t.fds.Get(dirfd)
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
