package kernel

import (
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// WaitResult is what wait4 and waitid report of a child.
type WaitResult struct {
	PID    int32
	UID    uint32
	Status WaitStatus // the wait4 status word
	Code   int32      // CLD_* for waitid
	Value  int32      // si_status: exit code or signal
	User   time.Duration
	Sys    time.Duration
}

// WaitID selects the children a wait looks at.
type WaitID struct {
	Type int // P_ALL, P_PID, P_PGID
	ID   int32
}

// validWaitOptions are the option bits wait4 and waitid accept.
const validWaitOptions = abi.WNOHANG | abi.WUNTRACED | abi.WEXITED | abi.WCONTINUED | abi.WNOWAIT |
	abi.WNOTHREAD | abi.WALL | abi.WCLONE

// Wait waits for a child of t's process to change state as options ask
// (WEXITED, WSTOPPED, WCONTINUED; WNOHANG, WNOWAIT; __WALL, __WCLONE). It
// returns ECHILD if no child matches, and a zero result with WNOHANG when
// none is ready.
func (t *Task) Wait(id WaitID, options uint32) (WaitResult, error) {
	if options&^validWaitOptions != 0 || options&(abi.WEXITED|abi.WUNTRACED|abi.WCONTINUED) == 0 {
		return WaitResult{}, abi.EINVAL
	}
	k := t.k
	p := t.proc
	w := vfs.NewWaiter()
	p.childWait.Add(w, abi.POLLIN)
	defer p.childWait.Remove(w)
	for {
		k.mu.Lock()
		res, found, matched := k.findChildLocked(p, id, options)
		k.mu.Unlock()
		if found {
			return res, nil
		}
		if !matched {
			return WaitResult{}, abi.ECHILD
		}
		if options&abi.WNOHANG != 0 {
			return WaitResult{}, nil
		}
		if err := t.Block(w, time.Time{}); err != nil {
			return WaitResult{}, err
		}
	}
}

func (k *Kernel) findChildLocked(p *Process, id WaitID, options uint32) (WaitResult, bool, bool) {
	matched := false
	for _, c := range p.children {
		switch id.Type {
		case abi.P_PID:
			if c.pid != id.ID {
				continue
			}
		case abi.P_PGID:
			if c.pgrp == nil || c.pgrp.pgid != id.ID {
				continue
			}
		}
		// A "clone" child (exit signal other than SIGCHLD) is waited for
		// only with __WCLONE or __WALL, an ordinary one only without
		// __WCLONE or with __WALL.
		clone := c.exitSignal != abi.SIGCHLD
		if options&abi.WALL == 0 && clone != (options&abi.WCLONE != 0) {
			continue
		}
		matched = true
		res := WaitResult{PID: c.pid, UID: c.Creds().RealUID}
		switch {
		case c.state == procZombie && options&abi.WEXITED != 0:
			res.Status = c.status
			res.Code, res.Value = c.status.childCode()
			res.User, res.Sys = c.cpuTimeLocked()
			c.mu.Lock()
			res.User += c.childUser
			res.Sys += c.childSys
			c.mu.Unlock()
			if options&abi.WNOWAIT == 0 {
				k.reapLocked(c)
			}
			return res, true, true
		case c.waitStop && c.state == procRunning && options&abi.WUNTRACED != 0:
			res.Status, res.Code, res.Value = Stopped(c.stopSig), abi.CLD_STOPPED, int32(c.stopSig)
			if options&abi.WNOWAIT == 0 {
				c.waitStop = false
			}
			return res, true, true
		case c.waitCont && c.state == procRunning && options&abi.WCONTINUED != 0:
			res.Status, res.Code, res.Value = Continued, abi.CLD_CONTINUED, int32(abi.SIGCONT)
			if options&abi.WNOWAIT == 0 {
				c.waitCont = false
			}
			return res, true, true
		}
	}
	return WaitResult{}, false, matched
}
