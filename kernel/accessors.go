package kernel

import (
	"time"

	"paddock/emu/cpu"
)

// FSBase returns the FS segment base (the thread pointer on x86_64).
func (t *Task) FSBase() uint64 { return t.mm.eng.Reg(cpu.FSBase) }

// SetFSBase sets the FS segment base (arch_prctl ARCH_SET_FS).
func (t *Task) SetFSBase(v uint64) { t.mm.eng.SetReg(cpu.FSBase, v) }

// GSBase returns the GS segment base.
func (t *Task) GSBase() uint64 { return t.mm.eng.Reg(cpu.GSBase) }

// SetGSBase sets the GS segment base.
func (t *Task) SetGSBase(v uint64) { t.mm.eng.SetReg(cpu.GSBase, v) }

// ClearChildTID returns set_tid_address's pointer.
func (t *Task) ClearChildTID() uint64 { return t.clearChildTID }

// TaskByTID returns the live task with thread id tid, or nil.
func (k *Kernel) TaskByTID(tid int32) *Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tasks[tid]
}

// ProcessByPID returns the process with id pid (zombies included), or nil.
func (k *Kernel) ProcessByPID(pid int32) *Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.procs[pid]
}

// NumTasks returns the number of live tasks.
func (k *Kernel) NumTasks() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.tasks)
}

// Processes returns every process, zombies included.
func (k *Kernel) Processes() []*Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*Process, 0, len(k.procs))
	for _, p := range k.procs {
		out = append(out, p)
	}
	return out
}

// MemInfo is the guest's view of the machine's memory, in bytes.
type MemInfo struct {
	Total, Free, Available uint64
}

// MemTotal is paddock's nominal machine size: guests are told they run on
// a 4 GiB machine whatever the host has.
const MemTotal = 4 << 30

// Memory reports memory use: the nominal total, minus what the guests have
// mapped.
func (k *Kernel) Memory() MemInfo {
	k.mu.Lock()
	var used uint64
	seen := map[*MM]bool{}
	for _, t := range k.tasks {
		if t.mm != nil && !seen[t.mm] {
			seen[t.mm] = true
			used += t.mm.as.Size()
		}
	}
	k.mu.Unlock()
	used = min(used, MemTotal)
	return MemInfo{Total: MemTotal, Free: MemTotal - used, Available: MemTotal - used}
}

// Dumpable returns PR_GET_DUMPABLE's value.
func (p *Process) Dumpable() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notDumpable {
		return 0
	}
	return 1
}

// SetDumpable sets the dumpable flag (PR_SET_DUMPABLE).
func (p *Process) SetDumpable(v int) {
	p.mu.Lock()
	p.notDumpable = v == 0
	p.mu.Unlock()
}

// NoNewPrivs reports PR_SET_NO_NEW_PRIVS; once set it stays set.
func (p *Process) NoNewPrivs() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.noNewPrivs
}

// SetNoNewPrivs sets no_new_privs.
func (p *Process) SetNoNewPrivs() {
	p.mu.Lock()
	p.noNewPrivs = true
	p.mu.Unlock()
}

// ChildrenCPUTime returns the CPU time of the process's reaped children
// (RUSAGE_CHILDREN).
func (p *Process) ChildrenCPUTime() (user, sys time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.childUser, p.childSys
}

// MaxRSS returns the largest resident set the process reached, in bytes:
// paddock counts mapped memory as resident.
func (p *Process) MaxRSS() uint64 {
	t := p.Leader()
	if t == nil || t.mm == nil {
		return 0
	}
	return t.mm.as.Size()
}

// SetAffinity records the task's CPU mask (sched_setaffinity). paddock does
// not pin guest threads to host CPUs; the mask is what the guest reads back.
func (t *Task) SetAffinity(mask []byte) {
	t.mu.Lock()
	t.affinity = append([]byte(nil), mask...)
	t.mu.Unlock()
}

// Affinity returns the task's CPU mask over the CPUs that exist.
func (t *Task) Affinity() []byte {
	n := t.k.NumCPU()
	out := make([]byte, (n+63)/64*8)
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := 0; c < n; c++ {
		if t.affinity == nil || c/8 < len(t.affinity) && t.affinity[c/8]&(1<<(c%8)) != 0 {
			out[c/8] |= 1 << (c % 8)
		}
	}
	return out
}

// InitProcess returns the first process, once Start has made it.
func (k *Kernel) InitProcess() *Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.init
}
