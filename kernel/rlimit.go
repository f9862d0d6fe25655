package kernel

import (
	"math"
	"time"

	"paddock/abi"
	"paddock/emu/mmu"
)

// Limits are a process's resource limits.
type Limits [abi.RLIM_NLIMITS]abi.Rlimit

const inf = abi.RLIM_INFINITY

// nprocDefault is the RLIMIT_NPROC and RLIMIT_SIGPENDING Linux sets at boot
// for paddock's nominal 4 GiB machine (max_threads / 2, kernel/fork.c).
const nprocDefault = 15672

// DefaultLimits are the limits of the first process: Linux's INIT_RLIMITS
// (include/asm-generic/resource.h).
func DefaultLimits() Limits {
	return Limits{
		abi.RLIMIT_CPU:        {Cur: inf, Max: inf},
		abi.RLIMIT_FSIZE:      {Cur: inf, Max: inf},
		abi.RLIMIT_DATA:       {Cur: inf, Max: inf},
		abi.RLIMIT_STACK:      {Cur: 8 << 20, Max: inf},
		abi.RLIMIT_CORE:       {Cur: 0, Max: inf},
		abi.RLIMIT_RSS:        {Cur: inf, Max: inf},
		abi.RLIMIT_NPROC:      {Cur: nprocDefault, Max: nprocDefault},
		abi.RLIMIT_NOFILE:     {Cur: 1024, Max: 4096},
		abi.RLIMIT_MEMLOCK:    {Cur: 8 << 20, Max: 8 << 20},
		abi.RLIMIT_AS:         {Cur: inf, Max: inf},
		abi.RLIMIT_LOCKS:      {Cur: inf, Max: inf},
		abi.RLIMIT_SIGPENDING: {Cur: nprocDefault, Max: nprocDefault},
		abi.RLIMIT_MSGQUEUE:   {Cur: 819200, Max: 819200},
		abi.RLIMIT_NICE:       {Cur: 0, Max: 0},
		abi.RLIMIT_RTPRIO:     {Cur: 0, Max: 0},
		abi.RLIMIT_RTTIME:     {Cur: inf, Max: inf},
	}
}

// mmLimits are the limits an address space enforces, read from the
// process proc returns at the time of each check.
func mmLimits(proc func() *Process) mmu.Limits {
	return mmu.Limits{
		AS:    func() uint64 { return proc().Limit(abi.RLIMIT_AS) },
		Stack: func() uint64 { return proc().Limit(abi.RLIMIT_STACK) },
		Data:  func() uint64 { return proc().Limit(abi.RLIMIT_DATA) },
	}
}

// NrOpen is fs.nr_open: no RLIMIT_NOFILE may exceed it.
const NrOpen = 1 << 20

// Limit returns the current (soft) limit of resource r.
func (p *Process) Limit(r int) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limits[r].Cur
}

// Rlimit returns both limits of resource r.
func (p *Process) Rlimit(r int) abi.Rlimit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limits[r]
}

// SetRlimit changes resource r's limits as setrlimit(2) does: EINVAL if the
// soft limit exceeds the hard one (or RLIMIT_NOFILE exceeds nr_open), EPERM
// if an unprivileged caller raises the hard limit. It returns the old value.
func (p *Process) SetRlimit(r int, nl abi.Rlimit, privileged bool) (abi.Rlimit, error) {
	if r < 0 || r >= abi.RLIM_NLIMITS {
		return abi.Rlimit{}, abi.EINVAL
	}
	if nl.Cur > nl.Max {
		return abi.Rlimit{}, abi.EINVAL
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.limits[r]
	if nl.Max > old.Max && !privileged {
		return abi.Rlimit{}, abi.EPERM
	}
	if r == abi.RLIMIT_NOFILE && nl.Max > NrOpen {
		return abi.Rlimit{}, abi.EPERM
	}
	p.limits[r] = nl
	if r == abi.RLIMIT_CPU {
		p.watchCPULimitLocked()
	}
	return old, nil
}

// cpuLimitPoll is how often the CPU time of a process with a finite
// RLIMIT_CPU is compared with it; Linux checks at every tick.
const cpuLimitPoll = 10 * time.Millisecond

// watchCPULimitLocked starts the watcher of RLIMIT_CPU if the soft limit
// is finite and none runs. p.mu is held.
func (p *Process) watchCPULimitLocked() {
	if p.cpuWatch || p.limits[abi.RLIMIT_CPU].Cur == inf {
		return
	}
	p.cpuWatch = true
	go p.watchCPULimit()
}

// seconds converts a limit in seconds to a duration, saturating.
func seconds(s uint64) time.Duration {
	if s > math.MaxInt64/uint64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s) * time.Second
}

// watchCPULimit enforces RLIMIT_CPU as Linux's check_process_timers does:
// at the soft limit SIGXCPU, and the soft limit moves one second on, so
// that SIGXCPU comes every second; at the hard limit SIGKILL. It ends
// when the process exits or the soft limit becomes infinite.
func (p *Process) watchCPULimit() {
	for {
		time.Sleep(cpuLimitPoll)
		if p.exited() {
			return
		}
		u, s := p.CPUTime()
		used := u + s
		p.mu.Lock()
		l := p.limits[abi.RLIMIT_CPU]
		if l.Cur == inf {
			p.cpuWatch = false
			p.mu.Unlock()
			return
		}
		var sig abi.Signal
		switch {
		case l.Max != inf && used >= seconds(l.Max):
			sig = abi.SIGKILL
		case used >= seconds(l.Cur):
			sig = abi.SIGXCPU
			p.limits[abi.RLIMIT_CPU].Cur = l.Cur + 1
		}
		p.mu.Unlock()
		if sig != 0 {
			p.k.SendSignal(p, abi.Siginfo{Signo: sig, Code: abi.SI_KERNEL})
		}
		if sig == abi.SIGKILL {
			return
		}
	}
}
