package kernel

import (
	"time"

	"paddock/abi"
)

// ProcInfo is a consistent snapshot of a process or thread, for /proc's
// stat and status files.
type ProcInfo struct {
	PID, TID, PPID, PGID, SID int32
	// TPGID is the foreground group of the controlling terminal, -1
	// without one; TTY is the terminal's device number (tty_nr).
	TPGID int32
	TTY   uint64
	// State is the one-letter state of ps: R running or runnable, S
	// sleeping, T stopped, Z zombie.
	State byte
	// Flags are the PF_* flags ps shows: PF_FORKNOEXEC for a process
	// that has not called execve since fork.
	Flags   uint32
	Comm    string
	Threads int
	// CPU times: the thread's or the whole group's, and of reaped
	// children.
	UTime, STime, CUTime, CSTime time.Duration
	Nice                         int
	Policy                       int
	RTPriority                   int
	Start                        time.Duration // since boot
	ExitSignal                   abi.Signal
	// Signals: pending for the thread, pending for the group, blocked by
	// the thread, ignored and caught by the group.
	SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt abi.SigSet
	Creds                                  Credentials
	Umask                                  uint32
	FDSize                                 int
}

// Info returns the snapshot of p, for its thread-group leader (or, for a
// leader that has exited, its first live thread).
func (p *Process) Info() ProcInfo { return p.info(p.Leader(), true) }

// Info returns the snapshot of thread t (/proc/PID/task/TID).
func (t *Task) Info() ProcInfo { return t.proc.info(t, false) }

func (p *Process) info(t *Task, group bool) ProcInfo {
	k := p.k
	i := ProcInfo{PID: p.pid, TID: p.pid, TPGID: -1, Comm: p.Comm(), Start: p.start}
	i.Creds = p.Creds()
	if group {
		i.UTime, i.STime = p.CPUTime()
	} else if t != nil {
		i.UTime, i.STime = t.CPUTime()
	}
	i.CUTime, i.CSTime = p.ChildrenCPUTime()
	if t != nil && t.fs != nil {
		i.Umask = t.fs.Umask()
	}
	if t != nil && t.fds != nil {
		i.FDSize = int(t.fds.Size())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if t != nil && !group {
		i.TID = t.tid
	}
	if p.parent != nil {
		i.PPID = p.parent.pid
	}
	if p.pgrp != nil {
		i.PGID = p.pgrp.pgid
		i.SID = p.pgrp.session.sid
	}
	if tty := p.ctty; tty != nil {
		// tty_nr in new_encode_dev's form.
		major, minor := uint64(abi.PTSMajor), uint64(tty.index)
		i.TTY = minor&0xff | major<<8 | (minor&^0xff)<<12
		if tty.fg != nil {
			i.TPGID = tty.fg.pgid
		}
	}
	i.Threads = len(p.tasks)
	if !p.execed {
		i.Flags |= abi.PF_FORKNOEXEC
	}
	i.ExitSignal = p.exitSignal
	i.ShdPnd = p.sharedPending.set
	for s := abi.Signal(1); s <= abi.SIGRTMAX; s++ {
		switch h := p.sighand.action(s).Handler; {
		case h == abi.SIG_IGN:
			i.SigIgn |= abi.SigSetOf(s)
		case h != abi.SIG_DFL:
			i.SigCgt |= abi.SigSetOf(s)
		}
	}
	switch {
	case p.state >= procZombie:
		i.State = 'Z'
	case t == nil:
		i.State = 'Z'
	case t.stopped:
		i.State = 'T'
	case t.sleeping.Load():
		i.State = 'S'
	default:
		i.State = 'R'
	}
	if t != nil {
		i.SigPnd = t.pending.set
		i.SigBlk = t.sigMask
		i.Nice = t.sched.nice
		i.Policy = int(t.sched.policy)
		i.RTPriority = int(t.sched.rtPriority)
	}
	return i
}

// Memory returns the task's address space, nil once it has exited.
func (t *Task) Memory() *MM {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if t.gone {
		return nil
	}
	return t.mm
}
