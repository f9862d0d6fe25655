package kernel

import "paddock/abi"

// schedAttr is a thread's scheduling attributes. paddock keeps and reports
// them (getpriority, sched_getscheduler, /proc) with Linux's rules for who
// may set what, but its own scheduling does not weigh them: the threads of
// an address space take turns on its engine in arrival order, and
// processes run on the host's threads as the Go runtime places them.
type schedAttr struct {
	nice        int // -20..19
	policy      int32
	rtPriority  int32 // 1..99 for SCHED_FIFO and SCHED_RR, else 0
	resetOnFork bool
}

// prioTargetsLocked returns the threads a getpriority or setpriority call names.
// The kernel's lock is held.
func (k *Kernel) prioTargetsLocked(t *Task, which, who int32) ([]*Task, error) {
	var out []*Task
	switch which {
	case abi.PRIO_PROCESS:
		if who == 0 {
			return []*Task{t}, nil
		}
		if x := k.tasks[who]; x != nil {
			out = append(out, x)
		}
	case abi.PRIO_PGRP:
		g := t.proc.pgrp
		if who != 0 {
			g = k.pgrps[who]
		}
		if g != nil {
			for p := range g.members {
				out = append(out, p.tasks...)
			}
		}
	case abi.PRIO_USER:
		uid := uint32(who)
		if who == 0 {
			uid = t.proc.Creds().RealUID
		}
		for _, x := range k.tasks {
			if x.proc.Creds().RealUID == uid {
				out = append(out, x)
			}
		}
	default:
		return nil, abi.EINVAL
	}
	if len(out) == 0 {
		return nil, abi.ESRCH
	}
	return out, nil
}

// Getpriority implements getpriority(2): the highest priority among the
// threads named, as 20 - nice (1..40), the raw syscall's encoding.
func (t *Task) Getpriority(which, who int32) (int, error) {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	ts, err := k.prioTargetsLocked(t, which, who)
	if err != nil {
		return 0, err
	}
	best := 0
	for _, x := range ts {
		best = max(best, 20-x.sched.nice)
	}
	return best, nil
}

// Setpriority implements setpriority(2). Another user's threads need
// privilege (EPERM); lowering a nice value needs privilege or a high
// enough RLIMIT_NICE (EACCES), as set_one_prio and can_nice decide.
func (t *Task) Setpriority(which, who int32, nice int) error {
	nice = min(max(nice, -20), 19)
	k := t.k
	c := t.proc.Creds()
	k.mu.Lock()
	defer k.mu.Unlock()
	ts, err := k.prioTargetsLocked(t, which, who)
	if err != nil {
		return err
	}
	for _, x := range ts {
		xc := x.proc.Creds()
		if xc.RealUID != c.EffectiveUID && xc.EffectiveUID != c.EffectiveUID && !c.Privileged() {
			err = abi.EPERM
			continue
		}
		if nice < x.sched.nice && !c.Privileged() && uint64(20-nice) > x.proc.Limit(abi.RLIMIT_NICE) {
			err = abi.EACCES
			continue
		}
		x.sched.nice = nice
	}
	return err
}

// schedTarget returns the thread a sched_* call names: 0 is the caller.
func (t *Task) schedTarget(tid int32) (*Task, error) {
	if tid < 0 {
		return nil, abi.EINVAL
	}
	if tid == 0 {
		return t, nil
	}
	if x := t.k.TaskByTID(tid); x != nil {
		return x, nil
	}
	return nil, abi.ESRCH
}

// SchedPolicy implements sched_getscheduler(2) and sched_getparam(2).
func (t *Task) SchedPolicy(tid int32) (policy, priority int32, err error) {
	x, err := t.schedTarget(tid)
	if err != nil {
		return 0, 0, err
	}
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	policy = x.sched.policy
	if x.sched.resetOnFork {
		policy |= abi.SCHED_RESET_ON_FORK
	}
	return policy, x.sched.rtPriority, nil
}

// PriorityRange implements sched_get_priority_max(2) and
// sched_get_priority_min(2).
func PriorityRange(policy int32) (lo, hi int32, err error) {
	switch policy {
	case abi.SCHED_FIFO, abi.SCHED_RR:
		return 1, 99, nil
	case abi.SCHED_OTHER, abi.SCHED_BATCH, abi.SCHED_IDLE, abi.SCHED_DEADLINE:
		return 0, 0, nil
	}
	return 0, 0, abi.EINVAL
}

// SetSchedPolicy implements sched_setscheduler(2) and, with policy -1,
// sched_setparam(2), by __sched_setscheduler's rules: the priority must
// suit the policy (EINVAL); an unprivileged caller may only touch its own
// user's threads, may not take a real-time policy beyond RLIMIT_RTPRIO nor
// leave SCHED_IDLE, nor clear SCHED_RESET_ON_FORK (EPERM). SCHED_DEADLINE
// is sched_setattr's alone.
func (t *Task) SetSchedPolicy(tid, policy, priority int32) error {
	x, err := t.schedTarget(tid)
	if err != nil {
		return err
	}
	c := t.proc.Creds()
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	cur := x.sched
	reset := cur.resetOnFork
	if policy < 0 {
		policy = cur.policy
	} else {
		reset = policy&abi.SCHED_RESET_ON_FORK != 0
		policy &^= abi.SCHED_RESET_ON_FORK
	}
	lo, hi, err := PriorityRange(policy)
	if err != nil || policy == abi.SCHED_DEADLINE || priority < lo || priority > hi {
		return abi.EINVAL
	}
	if !c.Privileged() {
		xc := x.proc.Creds()
		if xc.RealUID != c.EffectiveUID && xc.EffectiveUID != c.EffectiveUID {
			return abi.EPERM
		}
		rt := policy == abi.SCHED_FIFO || policy == abi.SCHED_RR
		if rt && uint64(priority) > x.proc.Limit(abi.RLIMIT_RTPRIO) && priority > cur.rtPriority {
			return abi.EPERM
		}
		if cur.policy == abi.SCHED_IDLE && policy != abi.SCHED_IDLE {
			return abi.EPERM
		}
		if cur.resetOnFork && !reset {
			return abi.EPERM
		}
	}
	x.sched.policy, x.sched.rtPriority, x.sched.resetOnFork = policy, priority, reset
	return nil
}

// Nice returns the thread's nice value, for /proc.
func (t *Task) Nice() int {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.sched.nice
}
