package kernel

import (
	"paddock/abi"
	"paddock/emu/cpu"
)

// CloneArgs are clone's and clone3's arguments.
type CloneArgs struct {
	Flags      uint64
	Stack      uint64 // the child's stack pointer; 0 keeps the parent's
	ParentTID  uint64
	ChildTID   uint64
	TLS        uint64
	ExitSignal abi.Signal
}

// namespaceFlags are the clone flags that would create namespaces, which
// paddock does not model.
const namespaceFlags = abi.CLONE_NEWNS | abi.CLONE_NEWCGROUP | abi.CLONE_NEWUTS | abi.CLONE_NEWIPC |
	abi.CLONE_NEWUSER | abi.CLONE_NEWPID | abi.CLONE_NEWNET

// MaxTasks bounds the tasks of a kernel: every process costs an engine and
// memory on the host, so a fork bomb meets EAGAIN in the guest instead of
// exhausting the host.
const MaxTasks = 512

// Clone implements clone(2) and clone3(2) for t; the child starts after
// the syscall instruction. It returns the child's id. The checks are
// Linux's (copy_process).
func (t *Task) Clone(a CloneArgs) (int32, error) {
	f := a.Flags
	switch {
	case f&abi.CLONE_THREAD != 0 && f&abi.CLONE_SIGHAND == 0,
		f&abi.CLONE_SIGHAND != 0 && f&abi.CLONE_VM == 0,
		f&abi.CLONE_NEWNS != 0 && f&abi.CLONE_FS != 0,
		f&abi.CLONE_NEWUSER != 0 && f&abi.CLONE_FS != 0,
		f&abi.CLONE_THREAD != 0 && f&abi.CLONE_PIDFD != 0,
		f&abi.CLONE_PARENT != 0 && t.proc == t.k.init:
		return 0, abi.EINVAL
	case f&namespaceFlags != 0:
		return 0, abi.EPERM
	case f&abi.CLONE_PIDFD != 0:
		return 0, abi.EINVAL
	}
	k := t.k
	creds := t.proc.Creds()
	k.mu.Lock()
	if len(k.tasks) >= MaxTasks {
		k.mu.Unlock()
		return 0, abi.EAGAIN
	}
	if !creds.Privileged() {
		// RLIMIT_NPROC counts the user's tasks, threads included
		// (copy_process checks user->processes).
		n := uint64(0)
		for _, x := range k.tasks {
			if x.proc.Creds().RealUID == creds.RealUID {
				n++
			}
		}
		if n >= t.proc.Limit(abi.RLIMIT_NPROC) {
			k.mu.Unlock()
			return 0, abi.EAGAIN
		}
	}
	k.mu.Unlock()

	eng := t.mm.eng
	ctx, err := eng.NewContext()
	if err != nil {
		return 0, abi.ENOMEM
	}
	eng.Save(ctx)
	child := &Task{k: k, ctx: ctx, ctxValid: true}
	pc := t.call.pc
	// A thread may share pending signals of its process: look once.
	child.sigHint.Store(true)
	child.startFix = func(e cpu.Engine) {
		e.SetReg(cpu.RAX, 0)
		if a.Stack != 0 {
			e.SetReg(cpu.RSP, a.Stack)
		}
		if f&abi.CLONE_SETTLS != 0 {
			e.SetReg(cpu.FSBase, a.TLS)
		}
		e.SetPC(pc + 2)
	}
	if f&abi.CLONE_VM != 0 {
		child.mm = t.mm
		t.mm.addUser()
	} else {
		mm, err := t.k.newMM(false)
		if err != nil {
			ctx.Free()
			return 0, abi.ENOMEM
		}
		as, err := t.mm.as.Fork(mm.eng)
		if err != nil {
			mm.releaseUser()
			ctx.Free()
			return 0, abi.ENOMEM
		}
		mm.as = as
		// The limits are the child's own; child.proc is set before the
		// child first runs.
		as.SetLimits(mmLimits(func() *Process { return child.proc }))
		mm.exe, mm.argStart, mm.argEnd, mm.envStart, mm.envEnd, mm.auxv =
			t.mm.exe, t.mm.argStart, t.mm.argEnd, t.mm.envStart, t.mm.envEnd, t.mm.auxv
		mm.startStack = t.mm.startStack
		child.mm = mm
	}
	if f&abi.CLONE_FILES != 0 {
		child.fds = t.fds.share()
	} else {
		child.fds = t.fds.Fork()
	}
	if f&abi.CLONE_FS != 0 {
		child.fs = t.fs
	} else {
		child.fs = t.fs.fork()
	}
	if f&abi.CLONE_CHILD_CLEARTID != 0 {
		child.clearChildTID = a.ChildTID
	}
	if f&abi.CLONE_VM == 0 {
		child.rseq = t.rseq
	}

	k.mu.Lock()
	child.sigMask = t.sigMask
	child.sched = t.sched
	if child.sched.resetOnFork {
		// SCHED_RESET_ON_FORK: the child starts as an ordinary task.
		child.sched = schedAttr{}
	}
	if f&(abi.CLONE_VM|abi.CLONE_VFORK) != abi.CLONE_VM {
		child.altStack = t.altStack
	}
	tid := k.allocPID()
	child.tid = tid
	if f&abi.CLONE_THREAD != 0 {
		child.proc = t.proc
		t.proc.tasks = append(t.proc.tasks, child)
	} else {
		parent := t.proc
		if f&abi.CLONE_PARENT != 0 {
			parent = t.proc.parent
		}
		p := &Process{k: k, pid: tid, parent: parent, children: map[int32]*Process{}, exitSignal: a.ExitSignal,
			start: k.Uptime()}
		if f&abi.CLONE_PARENT != 0 {
			p.exitSignal = t.proc.exitSignal
		} else {
			p.parentThread = t
		}
		t.proc.mu.Lock()
		p.limits, p.creds, p.comm = t.proc.limits, t.proc.creds.clone(), t.proc.comm
		p.notDumpable, p.noNewPrivs = t.proc.notDumpable, t.proc.noNewPrivs
		t.proc.mu.Unlock()
		p.mu.Lock()
		p.watchCPULimitLocked()
		p.mu.Unlock()
		if f&abi.CLONE_SIGHAND != 0 {
			p.sighand = t.proc.sighand
		} else {
			h := *t.proc.sighand
			p.sighand = &h
		}
		k.joinGroupLocked(p, t.proc.pgrp, nil)
		p.ctty = t.proc.ctty
		if parent != nil {
			parent.children[tid] = p
		}
		k.procs[tid] = p
		p.tasks = []*Task{child}
		child.proc = p
	}
	k.tasks[tid] = child
	k.mu.Unlock()

	if f&abi.CLONE_PARENT_SETTID != 0 {
		t.mm.as.WriteUint32(a.ParentTID, uint32(tid))
	}
	if f&abi.CLONE_CHILD_SETTID != 0 {
		child.mm.as.WriteUint32(a.ChildTID, uint32(tid))
	}
	if f&abi.CLONE_VFORK != 0 {
		done := make(chan struct{})
		child.vforkDone = done
		t.next = &runVforkWait{done}
	}
	child.start()
	return tid, nil
}

// waitVfork waits, without the engine, until a vfork child has exec'd or
// exited. A signal does not end the wait early, as on Linux (the parent is
// in an uninterruptible wait, killable only by SIGKILL).
func (t *Task) waitVfork(done chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-t.interruptChan():
			if t.mustExit() {
				return
			}
		}
	}
}
