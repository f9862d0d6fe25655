package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// Poll implements poll(2).
func Poll(t *kernel.Task, a kernel.Args) (uint64, error) {
	ms := int32(a[2])
	var deadline time.Time
	if ms > 0 {
		deadline = time.Now().Add(time.Duration(ms) * time.Millisecond)
	}
	return doPoll(t, a[0], a.Uint(1), ms != 0, deadline, true)
}

// doPoll runs poll on the guest's pollfd array at addr. Interrupted, a
// poll(2) leaves a restart with the time that was left (do_restart_poll);
// ppoll(2) does not (ERESTARTNOHAND).
func doPoll(t *kernel.Task, addr uint64, nfds uint32, wait bool, deadline time.Time, restartBlock bool) (uint64, error) {
	if uint64(nfds) > t.Process().Limit(abi.RLIMIT_NOFILE) {
		return 0, abi.EINVAL
	}
	b := make([]byte, int(nfds)*abi.SizeofPollFD)
	if err := t.CopyIn(addr, b); err != nil {
		return 0, err
	}
	reqs := make([]vfs.PollRequest, nfds)
	pfds := make([]abi.PollFD, nfds)
	for i := range reqs {
		pfds[i] = abi.DecodePollFD(b[abi.SizeofPollFD*i:])
		// POLLERR and POLLHUP are reported whether asked for or not.
		reqs[i].Events = uint32(pfds[i].Events) | abi.POLLERR | abi.POLLHUP
		if pfds[i].FD < 0 {
			continue
		}
		f, err := t.FDs().Get(pfds[i].FD)
		if err != nil {
			reqs[i].Revents = abi.POLLNVAL
			continue
		}
		defer f.DecRef()
		reqs[i].File = f
	}
	n, err := vfs.Poll(t, reqs, wait, deadline)
	if err == abi.ERESTARTSYS {
		if restartBlock {
			t.SetRestart(func(t *kernel.Task) (uint64, error) { return doPoll(t, addr, nfds, wait, deadline, true) })
			return 0, abi.ERESTART_RESTARTBLOCK
		}
		return 0, abi.ERESTARTNOHAND
	}
	if err != nil {
		return 0, err
	}
	for i, r := range reqs {
		pfds[i].Revents = uint16(r.Revents)
		pfds[i].Encode(b[abi.SizeofPollFD*i:])
	}
	if err := t.CopyOut(addr, b); err != nil {
		return 0, err
	}
	return uint64(n), nil
}

// Ppoll implements ppoll(2): a timespec timeout, written back with the
// time left, and a signal mask for the wait.
func Ppoll(t *kernel.Task, a kernel.Args) (uint64, error) {
	wait, deadline, err := timespecDeadline(t, a[2])
	if err != nil {
		return 0, err
	}
	if err := withSigmask(t, a[3], a[4]); err != nil {
		return 0, err
	}
	n, err := doPoll(t, a[0], a.Uint(1), wait, deadline, false)
	return finishTimed(t, n, err, a[2], deadline, false)
}

// Select implements select(2), whose timeval is written back with the
// time left.
func Select(t *kernel.Task, a kernel.Args) (uint64, error) {
	wait, deadline := true, time.Time{}
	if a[4] != 0 {
		b := make([]byte, abi.SizeofTimeval)
		if err := t.CopyIn(a[4], b); err != nil {
			return 0, err
		}
		tv := abi.DecodeTimeval(b)
		if tv.Sec < 0 || tv.Usec < 0 {
			return 0, abi.EINVAL
		}
		// Linux carries whole seconds out of tv_usec.
		d := time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
		wait, deadline = d > 0, time.Now().Add(d)
	}
	n, err := doSelect(t, a.Int(0), a[1], a[2], a[3], wait, deadline)
	return finishTimed(t, n, err, a[4], deadline, true)
}

// Pselect6 implements pselect6(2): a timespec, written back, and a
// {sigset pointer, size} pair for the wait's signal mask.
func Pselect6(t *kernel.Task, a kernel.Args) (uint64, error) {
	wait, deadline, err := timespecDeadline(t, a[4])
	if err != nil {
		return 0, err
	}
	if a[5] != 0 {
		var b [16]byte
		if err := t.CopyIn(a[5], b[:]); err != nil {
			return 0, err
		}
		if err := withSigmask(t, le64(b[0:]), le64(b[8:])); err != nil {
			return 0, err
		}
	}
	n, err := doSelect(t, a.Int(0), a[1], a[2], a[3], wait, deadline)
	return finishTimed(t, n, err, a[4], deadline, false)
}

// timespecDeadline reads an optional timeout: a null pointer waits
// forever, a zero one not at all.
func timespecDeadline(t *kernel.Task, addr uint64) (bool, time.Time, error) {
	if addr == 0 {
		return true, time.Time{}, nil
	}
	ts, err := getValidTimespec(t, addr)
	if err != nil {
		return false, time.Time{}, err
	}
	return ts.Duration() > 0, time.Now().Add(ts.Duration()), nil
}

// withSigmask installs a sigsuspend-like mask from a {pointer, size}
// argument pair; a null pointer leaves the mask alone.
func withSigmask(t *kernel.Task, addr, size uint64) error {
	if addr == 0 {
		return nil
	}
	if size != sigsetSize {
		return abi.EINVAL
	}
	set, err := getSigset(t, addr)
	if err != nil {
		return err
	}
	t.SetSavedMask(set)
	return nil
}

// finishTimed ends select, pselect6 and ppoll as poll_select_finish does:
// the time left goes back to the guest's timeout (as a timeval for
// select), and a call that was not interrupted puts the signal mask back
// at once; an interrupted one leaves that to the signal's delivery.
func finishTimed(t *kernel.Task, n uint64, err error, tsAddr uint64, deadline time.Time, timeval bool) (uint64, error) {
	if err == vfs.ErrMustBlock {
		// The call runs again off the engine, from the start.
		return 0, err
	}
	if err != abi.ERESTARTNOHAND {
		t.RestoreSavedMask()
	}
	if tsAddr != 0 && !deadline.IsZero() {
		left := max(time.Until(deadline), 0)
		if err == abi.ERESTARTNOHAND && left == 0 {
			// Linux gives a sleep that timed out as it was interrupted
			// its result rather than a restart.
			err = nil
		}
		var b []byte
		if timeval {
			b = make([]byte, abi.SizeofTimeval)
			abi.DurationTimeval(left).Encode(b)
		} else {
			b = make([]byte, abi.SizeofTimespec)
			abi.NsecTimespec(int64(left)).Encode(b)
		}
		// The result stands even if the timeout cannot be written back.
		t.CopyOut(tsAddr, b)
	}
	return n, err
}

// doSelect waits on three fd_sets of nfds bits, as core_sys_select does,
// and writes back the sets of ready descriptors.
func doSelect(t *kernel.Task, nfds int32, rd, wr, ex uint64, wait bool, deadline time.Time) (uint64, error) {
	if nfds < 0 {
		return 0, abi.EINVAL
	}
	// Descriptors past the fd table's capacity are not looked at, open or
	// not (core_sys_select clamps n to max_fds).
	n := min(uint64(nfds), uint64(t.FDs().Size()))
	words := (n + 63) / 64
	sets := [3]struct {
		addr uint64
		bits []uint64
	}{{addr: rd}, {addr: wr}, {addr: ex}}
	for i := range sets {
		if sets[i].addr == 0 {
			continue
		}
		b := make([]byte, words*8)
		if err := t.CopyIn(sets[i].addr, b); err != nil {
			return 0, err
		}
		sets[i].bits = make([]uint64, words)
		for w := range sets[i].bits {
			sets[i].bits[w] = le64(b[8*w:])
		}
	}
	// The events each set asks for (POLLIN_SET, POLLOUT_SET, POLLEX_SET).
	const (
		inSet  = abi.POLLRDNORM | abi.POLLRDBAND | abi.POLLIN | abi.POLLHUP | abi.POLLERR
		outSet = abi.POLLWRBAND | abi.POLLWRNORM | abi.POLLOUT | abi.POLLERR
		exSet  = abi.POLLPRI
	)
	masks := [3]uint32{inSet, outSet, exSet}
	var reqs []vfs.PollRequest
	var fds []int32
	for fd := uint64(0); fd < n; fd++ {
		var ev uint32
		for i := range sets {
			if sets[i].bits != nil && sets[i].bits[fd/64]&(1<<(fd%64)) != 0 {
				ev |= masks[i]
			}
		}
		if ev == 0 {
			continue
		}
		f, err := t.FDs().Get(int32(fd))
		if err != nil {
			return 0, abi.EBADF
		}
		defer f.DecRef()
		reqs = append(reqs, vfs.PollRequest{File: f, Events: ev})
		fds = append(fds, int32(fd))
	}
	if _, err := vfs.Poll(t, reqs, wait, deadline); err != nil {
		if err == abi.ERESTARTSYS {
			return 0, abi.ERESTARTNOHAND
		}
		return 0, err
	}
	count := uint64(0)
	for i := range sets {
		if sets[i].bits == nil {
			continue
		}
		out := make([]byte, words*8)
		for j, r := range reqs {
			fd := uint64(fds[j])
			if sets[i].bits[fd/64]&(1<<(fd%64)) != 0 && r.Revents&masks[i] != 0 {
				out[fd/8] |= 1 << (fd % 8)
				count++
			}
		}
		if err := t.CopyOut(sets[i].addr, out); err != nil {
			return 0, err
		}
	}
	return count, nil
}

// EpollCreate implements epoll_create(2): the size must be positive and is
// otherwise ignored.
func EpollCreate(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a.Int(0) <= 0 {
		return 0, abi.EINVAL
	}
	return install(t, t.Kernel().VFS().NewEpoll(0), false)
}

// EpollCreate1 implements epoll_create1(2).
func EpollCreate1(t *kernel.Task, a kernel.Args) (uint64, error) {
	flags := a.Uint(0)
	if flags&^abi.EPOLL_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	return install(t, t.Kernel().VFS().NewEpoll(0), flags&abi.EPOLL_CLOEXEC != 0)
}

// EpollCtl implements epoll_ctl(2).
func EpollCtl(t *kernel.Task, a kernel.Args) (uint64, error) {
	op, fd := a.Int(1), a.Int(2)
	var ev abi.EpollEvent
	if op != abi.EPOLL_CTL_DEL {
		b := make([]byte, abi.SizeofEpollEvent)
		if err := t.CopyIn(a[3], b); err != nil {
			return 0, err
		}
		ev = abi.DecodeEpollEvent(b)
	}
	epf, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	f, err := file(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	ep := vfs.EpollOf(epf)
	if ep == nil {
		return 0, abi.EINVAL
	}
	if ev.Events&abi.EPOLLEXCLUSIVE != 0 {
		// Exclusive wake-ups are a hint paddock does without, but their
		// rules stand: not with MOD, not with one-shot, not on an epoll.
		if op == abi.EPOLL_CTL_MOD || ev.Events&abi.EPOLLONESHOT != 0 || vfs.EpollOf(f) != nil {
			return 0, abi.EINVAL
		}
	}
	switch op {
	case abi.EPOLL_CTL_ADD:
		return 0, ep.Add(f, fd, ev)
	case abi.EPOLL_CTL_MOD:
		return 0, ep.Modify(f, fd, ev)
	case abi.EPOLL_CTL_DEL:
		return 0, ep.Delete(f, fd)
	}
	return 0, abi.EINVAL
}

// EpollWait implements epoll_wait(2).
func EpollWait(t *kernel.Task, a kernel.Args) (uint64, error) {
	return epollWait(t, a, a.Int(3), false)
}

// EpollPwait implements epoll_pwait(2): epoll_wait with a signal mask for
// the wait.
func EpollPwait(t *kernel.Task, a kernel.Args) (uint64, error) {
	return epollWait(t, a, a.Int(3), true)
}

// EpollPwait2 implements epoll_pwait2(2): a timespec timeout.
func EpollPwait2(t *kernel.Task, a kernel.Args) (uint64, error) {
	d := time.Duration(-1)
	if a[3] != 0 {
		ts, err := getValidTimespec(t, a[3])
		if err != nil {
			return 0, err
		}
		d = ts.Duration()
	}
	return epollWaitFor(t, a, true, d)
}

func epollWait(t *kernel.Task, a kernel.Args, ms int32, masked bool) (uint64, error) {
	d := time.Duration(-1)
	if ms >= 0 {
		d = time.Duration(ms) * time.Millisecond
	}
	return epollWaitFor(t, a, masked, d)
}

// epollWaitFor waits up to d (forever if negative) for events on the
// epoll instance a[0], into the array a[1] of a[2] entries; with masked,
// a[4] and a[5] give a signal mask for the wait. An interrupted wait
// fails with EINTR, never restarts, as ep_poll does.
func epollWaitFor(t *kernel.Task, a kernel.Args, masked bool, d time.Duration) (uint64, error) {
	max := a.Int(2)
	if max <= 0 || max > abi.EP_MAX_EVENTS {
		return 0, abi.EINVAL
	}
	epf, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	ep := vfs.EpollOf(epf)
	if ep == nil {
		return 0, abi.EINVAL
	}
	if masked {
		if err := withSigmask(t, a[4], a[5]); err != nil {
			return 0, err
		}
	}
	var deadline time.Time
	if d > 0 {
		deadline = time.Now().Add(d)
	}
	evs, err := ep.Wait(t, int(max), d != 0, deadline)
	if err == abi.ERESTARTSYS {
		// The saved mask comes back when the handler returns.
		return 0, abi.EINTR
	}
	t.RestoreSavedMask()
	if err != nil {
		return 0, err
	}
	b := make([]byte, len(evs)*abi.SizeofEpollEvent)
	for i, e := range evs {
		e.Encode(b[i*abi.SizeofEpollEvent:])
	}
	if err := t.CopyOut(a[1], b); err != nil {
		return 0, err
	}
	return uint64(len(evs)), nil
}

// install puts a new file in the lowest free descriptor and drops the
// creator's reference.
func install(t *kernel.Task, f *vfs.File, cloexec bool) (uint64, error) {
	defer f.DecRef()
	fd, err := t.FDs().Install(f, 0, cloexec, t.Process().Limit(abi.RLIMIT_NOFILE))
	return uint64(fd), err
}
