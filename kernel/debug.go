package kernel

import (
	"paddock/abi"
	"paddock/emu/cpu"
)

// debugged reports whether t's process is the one a debugger controls.
func (t *Task) debugged() bool {
	return t.k.cfg.Debugger != nil && t.proc == t.k.init
}

// debugStop stops t for the debugger, and queues the signal the debugger
// chose to deliver instead of SIGTRAP, if any.
func (t *Task) debugStop(sig abi.Signal) {
	if give := t.k.cfg.Debugger.Stop(t, sig); give != 0 && give != sig {
		info := abi.Siginfo{Signo: give, Code: abi.SI_KERNEL}
		t.k.mu.Lock()
		wake := t.k.sendLocked(t.proc, t, info)
		t.k.mu.Unlock()
		for _, w := range wake {
			w.wake()
		}
	}
}

// Threads implements observe.DebugTask.
func (t *Task) Threads() []int32 {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	var out []int32
	for _, x := range t.proc.tasks {
		out = append(out, x.tid)
	}
	return out
}

// ThreadRegs implements observe.DebugTask.
func (t *Task) ThreadRegs(tid int32, r *cpu.Regs) bool {
	t.k.mu.Lock()
	var x *Task
	for _, o := range t.proc.tasks {
		if o.tid == tid {
			x = o
		}
	}
	t.k.mu.Unlock()
	switch {
	case x == nil:
		return false
	case x.mm.owner == x:
		x.mm.eng.Regs(r)
	case x.ctxValid:
		x.ctx.Regs(r)
	default:
		return false
	}
	return true
}

// Auxv implements observe.DebugTask.
func (t *Task) Auxv() []byte { return t.mm.auxv }

// ExePath implements observe.DebugTask.
func (t *Task) ExePath() string {
	p, _ := t.k.vfs.Path(t.fs.Root(), t.mm.exe)
	return p
}
