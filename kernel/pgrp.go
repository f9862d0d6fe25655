package kernel

import (
	"paddock/abi"
)

// Session is a set of process groups led by the process that called
// setsid.
type Session struct {
	sid int32
}

// ProcessGroup is a set of processes in one session, the unit job control
// signals.
type ProcessGroup struct {
	pgid    int32
	session *Session
	members map[*Process]struct{}
}

// PGID returns the group's id.
func (g *ProcessGroup) PGID() int32 { return g.pgid }

// joinGroupLocked moves p into group g (nil: a new group led by p, in
// session s).
func (k *Kernel) joinGroupLocked(p *Process, g *ProcessGroup, s *Session) {
	k.leaveGroupLocked(p)
	if g == nil {
		g = &ProcessGroup{pgid: p.pid, session: s, members: map[*Process]struct{}{}}
		k.pgrps[g.pgid] = g
	}
	g.members[p] = struct{}{}
	p.pgrp = g
}

// leaveGroupLocked removes p from its group, dropping the group when it
// empties.
func (k *Kernel) leaveGroupLocked(p *Process) {
	g := p.pgrp
	if g == nil {
		return
	}
	delete(g.members, p)
	if len(g.members) == 0 && k.pgrps[g.pgid] == g {
		delete(k.pgrps, g.pgid)
	}
	p.pgrp = nil
}

// Pgid returns the process group id.
func (p *Process) Pgid() int32 {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	if p.pgrp == nil {
		return 0
	}
	return p.pgrp.pgid
}

// Sid returns the session id.
func (p *Process) Sid() int32 {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	if p.pgrp == nil {
		return 0
	}
	return p.pgrp.session.sid
}

// Setpgid implements setpgid(2) for caller t with Linux's rules: the
// target is the caller or one of its children (ESRCH), a child that has not
// exec'd (EACCES), in the caller's session (EPERM), not a session leader
// (EPERM), joining a group of that session or its own new one (EPERM).
func (t *Task) Setpgid(pid, pgid int32) error {
	// A zero pgid means pid itself, so a negative pid is caught here too.
	if pgid == 0 {
		pgid = pid
	}
	if pgid < 0 {
		return abi.EINVAL
	}
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	me := t.proc
	target := me
	if pid != 0 && pid != me.pid {
		target = k.procs[pid]
		if target == nil || target.parent != me || target.state != procRunning {
			return abi.ESRCH
		}
		if target.execed {
			return abi.EACCES
		}
		if target.pgrp.session != me.pgrp.session {
			return abi.EPERM
		}
	}
	if pgid == 0 {
		pgid = target.pid
	}
	if target.pgrp.session.sid == target.pid {
		return abi.EPERM
	}
	if pgid == target.pid {
		if target.pgrp.pgid != pgid {
			k.joinGroupLocked(target, nil, target.pgrp.session)
		}
		return nil
	}
	g := k.pgrps[pgid]
	if g == nil || g.session != me.pgrp.session {
		return abi.EPERM
	}
	if target.pgrp != g {
		k.joinGroupLocked(target, g, nil)
	}
	return nil
}

// Getpgid returns the process group of pid (0: the caller).
func (t *Task) Getpgid(pid int32) (int32, error) {
	g, err := t.groupOf(pid)
	if err != nil {
		return 0, err
	}
	return g.pgid, nil
}

// Getsid returns the session of pid (0: the caller).
func (t *Task) Getsid(pid int32) (int32, error) {
	g, err := t.groupOf(pid)
	if err != nil {
		return 0, err
	}
	return g.session.sid, nil
}

// groupOf returns the process group of pid (0: the caller).
func (t *Task) groupOf(pid int32) (*ProcessGroup, error) {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	p, err := t.lookupLocked(pid)
	if err != nil {
		return nil, err
	}
	return p.pgrp, nil
}

// Setsid implements setsid(2): a process that leads a group may not; any
// other becomes the leader of a new session and group.
func (t *Task) Setsid() (int32, error) {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	p := t.proc
	if g := k.pgrps[p.pid]; g != nil {
		return 0, abi.EPERM
	}
	k.joinGroupLocked(p, nil, &Session{sid: p.pid})
	// A new session starts without a controlling terminal.
	p.ctty = nil
	return p.pid, nil
}

// orphanedLocked reports whether g is orphaned: no member has a parent in
// another group of the same session (POSIX; is_current_pgrp_orphaned).
func (k *Kernel) orphanedLocked(g *ProcessGroup) bool {
	return k.orphanedIgnoring(g, nil)
}

func (k *Kernel) orphanedIgnoring(g *ProcessGroup, ignore *Process) bool {
	if g == nil {
		return true
	}
	for p := range g.members {
		if p == ignore || p.state != procRunning || p.groupExiting {
			continue
		}
		pp := p.parent
		if pp != nil && pp.pgrp != g && pp.pgrp != nil && pp.pgrp.session == g.session {
			return false
		}
	}
	return true
}

// checkOrphanLocked sends SIGHUP then SIGCONT to every member of g if g
// has just become orphaned (exiting is the process whose exit may orphan
// it) and has stopped members, as Linux's kill_orphaned_pgrp does.
func (k *Kernel) checkOrphanLocked(g *ProcessGroup, exiting *Process) []*Task {
	if g == nil || !k.orphanedIgnoring(g, exiting) {
		return nil
	}
	stopped := false
	for p := range g.members {
		stopped = stopped || p.stopping
	}
	if !stopped {
		return nil
	}
	var wake []*Task
	for p := range g.members {
		if p == exiting || p.state != procRunning {
			continue
		}
		wake = append(wake, k.sendLocked(p, nil, abi.Siginfo{Signo: abi.SIGHUP, Code: abi.SI_KERNEL})...)
		wake = append(wake, k.sendLocked(p, nil, abi.Siginfo{Signo: abi.SIGCONT, Code: abi.SI_KERNEL})...)
	}
	return wake
}

// Kill implements kill(2): pid > 0 a process, 0 the caller's group, -1
// every process the caller may signal but the first and itself, < -1 the
// group -pid. Signal 0 only checks.
func (t *Task) Kill(pid int32, sig abi.Signal) error {
	if sig < 0 || sig > abi.SIGRTMAX {
		return abi.EINVAL
	}
	k := t.k
	k.mu.Lock()
	var targets []*Process
	switch {
	case pid > 0:
		if p := k.procs[pid]; p != nil && p.state != procDead {
			targets = []*Process{p}
		}
	case pid == 0 || pid < -1:
		pg := t.proc.pgrp
		if pid < -1 {
			pg = k.pgrps[-pid]
		}
		if pg != nil {
			for p := range pg.members {
				targets = append(targets, p)
			}
		}
	default:
		for _, p := range k.procs {
			if p.pid != 1 && p != t.proc && p.state == procRunning {
				targets = append(targets, p)
			}
		}
	}
	k.mu.Unlock()
	if len(targets) == 0 {
		return abi.ESRCH
	}
	creds := t.proc.Creds()
	sent := 0
	var lastErr error = abi.EPERM
	for _, p := range targets {
		if !k.maySignal(t.proc, &creds, p, sig) {
			continue
		}
		sent++
		if sig == 0 {
			continue
		}
		info := abi.Siginfo{Signo: sig, Code: abi.SI_USER}
		info.SetPid(t.proc.pid, creds.RealUID)
		k.SendSignal(p, info)
	}
	if sent == 0 {
		return lastErr
	}
	return nil
}

// maySignal implements kill's permission check (check_kill_permission): a
// privileged sender, a matching real or effective uid against the target's
// real or saved uid, or SIGCONT within a session.
func (k *Kernel) maySignal(from *Process, c *Credentials, to *Process, sig abi.Signal) bool {
	if c.Privileged() || from == to {
		return true
	}
	tc := to.Creds()
	if c.EffectiveUID == tc.RealUID || c.EffectiveUID == tc.SavedUID || c.RealUID == tc.RealUID || c.RealUID == tc.SavedUID {
		return true
	}
	if sig == abi.SIGCONT {
		k.mu.Lock()
		defer k.mu.Unlock()
		return from.pgrp != nil && to.pgrp != nil && from.pgrp.session == to.pgrp.session
	}
	return false
}

// lookupLocked returns the live process pid names (0: the caller's), for
// calls that take a pid argument. The caller holds k.mu.
func (t *Task) lookupLocked(pid int32) (*Process, error) {
	if pid == 0 {
		return t.proc, nil
	}
	if p := t.k.procs[pid]; p != nil && p.state != procDead {
		return p, nil
	}
	return nil, abi.ESRCH
}
