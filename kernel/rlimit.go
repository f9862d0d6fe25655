package kernel

import (
	"paddock/abi"
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
	return old, nil
}
