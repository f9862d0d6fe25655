package kernel

import (
	"fmt"
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// TTY is a pseudo-terminal: the slave side programs use as their terminal
// (/dev/pts/N), the master side (from /dev/ptmx) that a terminal emulator,
// sshd or script(1) drives, and between them a line discipline with
// Linux's n_tty rules for what this implements: canonical lines with
// erase and kill, echo, CR to NL on input, NL to CR NL on output, and the
// characters that signal the foreground process group. It is also a
// controlling terminal, with job control: a background group that reads
// gets SIGTTIN, one that writes with TOSTOP or changes the terminal gets
// SIGTTOU.
type TTY struct {
	k     *Kernel
	index int

	mu      sync.Mutex
	termios abi.Termios
	winsize abi.Winsize
	locked  bool // ptmx's lock, until TIOCSPTLCK 0
	// slaves counts the slave's open files; hungUp says the master (one
	// open file, its Release) is gone. The pair goes when both hold.
	slaves int
	hungUp bool
	// Input the slave reads: complete lines (canonical mode) or bytes;
	// line is the canonical line being edited.
	lines [][]byte
	raw   []byte
	line  []byte
	// Output the master reads.
	out []byte

	mq, sq vfs.Queue // readiness of the master and of the slave

	// Guarded by the kernel's lock: the session the terminal controls
	// and its foreground process group.
	session *Session
	fg      *ProcessGroup
}

// ptys numbers the pseudo-terminals as devpts does: the lowest free index.
type ptys struct {
	mu   sync.Mutex
	used map[int]*TTY
}

// maxOutput is how much output the master may leave unread before the
// slave's writers wait (Linux's pty buffers hold a few pages).
const maxOutput = 64 << 10

// RegisterTTYDevices registers /dev/ptmx, which makes a new pseudo-
// terminal at each open, and /dev/tty, the caller's controlling terminal.
func (k *Kernel) RegisterTTYDevices() {
	k.vfs.RegisterCharDevice(abi.TTYAUXMajor, abi.PtmxMinor, func(ctx vfs.Context, flags uint32) (vfs.FileOps, error) {
		return k.openPtmx(ctx)
	})
	k.vfs.RegisterCharDevice(abi.TTYAUXMajor, abi.CurTTYMinor, func(ctx vfs.Context, flags uint32) (vfs.FileOps, error) {
		t, ok := ctx.(*Task)
		if !ok {
			return nil, abi.ENXIO
		}
		k.mu.Lock()
		tty := t.proc.ctty
		k.mu.Unlock()
		if tty == nil {
			return nil, abi.ENXIO
		}
		return tty.openSlave(t, flags|abi.O_NOCTTY)
	})
}

// openPtmx makes a pseudo-terminal pair and returns its master, creating
// /dev/pts/N for the slave.
func (k *Kernel) openPtmx(ctx vfs.Context) (vfs.FileOps, error) {
	k.ptys.mu.Lock()
	if k.ptys.used == nil {
		k.ptys.used = map[int]*TTY{}
	}
	n := 0
	for k.ptys.used[n] != nil {
		n++
	}
	tty := &TTY{k: k, index: n, termios: abi.StdTermios(), locked: true}
	// devpts's slaves start without HUPCL (pty.c pts_driver).
	tty.termios.Cflag = abi.B38400 | abi.CS8 | abi.CREAD
	k.ptys.used[n] = tty
	k.ptys.mu.Unlock()

	c := ctx.Creds()
	k.vfs.RegisterCharDevice(abi.PTSMajor, uint32(n), func(ctx vfs.Context, flags uint32) (vfs.FileOps, error) {
		return tty.openSlave(ctx, flags)
	})
	root := k.vfs.Root()
	r := &vfs.Resolver{Creds: &vfs.Creds{}, Root: root, Start: root}
	// The node belongs to whoever opened ptmx, mode 0620 (devpts's
	// defaults without a tty group).
	if err := k.vfs.Mknod(r, tty.path(), abi.S_IFCHR|0o620, abi.Makedev(abi.PTSMajor, uint32(n)), ""); err != nil {
		tty.release()
		return nil, err
	}
	if l, err := k.vfs.Walk(r, tty.path(), false); err == nil {
		k.vfs.Chown(&vfs.Creds{}, l, c.UID, ^uint32(0))
	}
	return &ptyMaster{tty}, nil
}

func (tty *TTY) path() string { return fmt.Sprintf("/dev/pts/%d", tty.index) }

// Index returns N of /dev/pts/N.
func (tty *TTY) Index() int { return tty.index }

// Dev returns the slave's device number.
func (tty *TTY) Dev() uint64 { return abi.Makedev(abi.PTSMajor, uint32(tty.index)) }

// release frees the pair once neither side is open.
func (tty *TTY) release() {
	k := tty.k
	root := k.vfs.Root()
	r := &vfs.Resolver{Creds: &vfs.Creds{}, Root: root, Start: root}
	k.vfs.Unlink(r, tty.path(), false)
	k.ptys.mu.Lock()
	delete(k.ptys.used, tty.index)
	k.ptys.mu.Unlock()
}

// openSlave opens the slave side. A session leader without a controlling
// terminal that opens one nobody controls, without O_NOCTTY, acquires it
// (tty_open's __proc_set_tty).
func (tty *TTY) openSlave(ctx vfs.Context, flags uint32) (vfs.FileOps, error) {
	tty.mu.Lock()
	if tty.locked {
		tty.mu.Unlock()
		return nil, abi.EIO
	}
	if tty.hungUp {
		tty.mu.Unlock()
		return nil, abi.EIO
	}
	tty.slaves++
	tty.mu.Unlock()
	if t, ok := ctx.(*Task); ok && flags&abi.O_NOCTTY == 0 {
		k := tty.k
		k.mu.Lock()
		p := t.proc
		if p.pgrp != nil && p.pgrp.session.sid == p.pid && p.ctty == nil && tty.session == nil {
			tty.acquireLocked(p)
		}
		k.mu.Unlock()
	}
	return &ptySlave{tty}, nil
}

// acquireLocked makes tty p's session's controlling terminal, with p's
// group in the foreground. The kernel's lock is held.
func (tty *TTY) acquireLocked(p *Process) {
	tty.session = p.pgrp.session
	tty.fg = p.pgrp
	p.ctty = tty
}

// disassociateLocked ends tty's control of its session: every process of
// the session loses it. The kernel's lock is held.
func (tty *TTY) disassociateLocked() {
	for _, p := range tty.k.procs {
		if p.ctty == tty {
			p.ctty = nil
		}
	}
	tty.session, tty.fg = nil, nil
}

// signalGroupLocked sends sig to every process of g and returns the tasks
// to wake. The kernel's lock is held.
func (k *Kernel) signalGroupLocked(g *ProcessGroup, sig abi.Signal) []*Task {
	if g == nil {
		return nil
	}
	var wake []*Task
	for p := range g.members {
		wake = append(wake, k.sendLocked(p, nil, abi.Siginfo{Signo: sig, Code: abi.SI_KERNEL})...)
	}
	return wake
}

func wakeAll(ts []*Task) {
	for _, t := range ts {
		t.wake()
	}
}

// jobControl applies the background rules to t using tty (tty_check_change
// and __tty_check_change): a process of the terminal's session outside its
// foreground group gets sig for its group and its call is restarted once
// the group continues; if sig is ignored or blocked the call goes ahead
// (SIGTTOU) or fails with EIO (SIGTTIN), and an orphaned group gets EIO.
func (tty *TTY) jobControl(ctx vfs.Context, sig abi.Signal) error {
	t, ok := ctx.(*Task)
	if !ok {
		return nil
	}
	k := tty.k
	k.mu.Lock()
	p := t.proc
	if p.ctty != tty || tty.fg == nil || p.pgrp == tty.fg {
		k.mu.Unlock()
		return nil
	}
	ignored := p.sighand.action(sig).Handler == abi.SIG_IGN || t.sigMask&abi.SigSetOf(sig) != 0
	if ignored {
		k.mu.Unlock()
		if sig == abi.SIGTTIN {
			return abi.EIO
		}
		return nil
	}
	if k.orphanedLocked(p.pgrp) {
		k.mu.Unlock()
		return abi.EIO
	}
	wake := k.signalGroupLocked(p.pgrp, sig)
	k.mu.Unlock()
	wakeAll(wake)
	return abi.ERESTARTSYS
}

// hangUp is what closing the master does to the slave (pty_close,
// tty_vhangup), after Release set hungUp: reads end, writes fail, the
// session leader gets SIGHUP and SIGCONT, and the session loses its
// terminal.
func (tty *TTY) hangUp() {
	k := tty.k
	k.mu.Lock()
	var wake []*Task
	if s := tty.session; s != nil {
		if leader := k.procs[s.sid]; leader != nil && leader.pgrp != nil && leader.pgrp.session == s {
			wake = append(wake, k.sendLocked(leader, nil, abi.Siginfo{Signo: abi.SIGHUP, Code: abi.SI_KERNEL})...)
			wake = append(wake, k.sendLocked(leader, nil, abi.Siginfo{Signo: abi.SIGCONT, Code: abi.SI_KERNEL})...)
		}
	}
	tty.disassociateLocked()
	k.mu.Unlock()
	wakeAll(wake)
	tty.sq.Notify(abi.POLLIN | abi.POLLOUT | abi.POLLHUP)
}

// exitSessionLeaderLocked is disassociate_ctty for a session leader that
// exits: the foreground group gets SIGHUP and SIGCONT, and the session
// loses the terminal. The kernel's lock is held.
func (k *Kernel) exitSessionLeaderLocked(p *Process) []*Task {
	tty := p.ctty
	if tty == nil || p.pgrp == nil || p.pgrp.session.sid != p.pid || tty.session != p.pgrp.session {
		return nil
	}
	var wake []*Task
	if fg := tty.fg; fg != nil {
		wake = append(wake, k.signalGroupLocked(fg, abi.SIGHUP)...)
		wake = append(wake, k.signalGroupLocked(fg, abi.SIGCONT)...)
	}
	tty.disassociateLocked()
	return wake
}

// input runs bytes the master wrote through the line discipline.
func (tty *TTY) input(src []byte) {
	var sigs []abi.Signal
	tty.mu.Lock()
	tm := &tty.termios
	for _, c := range src {
		if tm.Iflag&abi.ICRNL != 0 && c == '\r' {
			c = '\n'
		} else if tm.Iflag&abi.IGNCR != 0 && c == '\r' {
			continue
		} else if tm.Iflag&abi.INLCR != 0 && c == '\n' {
			c = '\r'
		}
		if tm.Lflag&abi.ISIG != 0 {
			sig := abi.Signal(0)
			switch c {
			case tm.Cc[abi.VINTR]:
				sig = abi.SIGINT
			case tm.Cc[abi.VQUIT]:
				sig = abi.SIGQUIT
			case tm.Cc[abi.VSUSP]:
				sig = abi.SIGTSTP
			}
			if sig != 0 && c != 0 {
				if tm.Lflag&abi.NOFLSH == 0 {
					tty.lines, tty.raw, tty.line = nil, nil, nil
				}
				tty.echoLocked(c)
				sigs = append(sigs, sig)
				continue
			}
		}
		if tm.Lflag&abi.ICANON == 0 {
			tty.raw = append(tty.raw, c)
			tty.echoLocked(c)
			continue
		}
		switch {
		case c == tm.Cc[abi.VERASE] && c != 0:
			if n := len(tty.line); n > 0 {
				tty.line = tty.line[:n-1]
				if tm.Lflag&abi.ECHO != 0 && tm.Lflag&abi.ECHOE != 0 {
					tty.outputLocked([]byte("\b \b"))
				}
			}
		case c == tm.Cc[abi.VKILL] && c != 0:
			if tm.Lflag&abi.ECHO != 0 && tm.Lflag&abi.ECHOKE != 0 {
				for range tty.line {
					tty.outputLocked([]byte("\b \b"))
				}
			}
			tty.line = nil
		case c == tm.Cc[abi.VEOF] && c != 0:
			// The line ends without the EOF character; an empty one
			// reads as end of file.
			tty.lines = append(tty.lines, tty.line)
			tty.line = nil
		case c == '\n' || (c == tm.Cc[abi.VEOL] && c != 0) || (c == tm.Cc[abi.VEOL2] && c != 0):
			tty.line = append(tty.line, c)
			tty.lines = append(tty.lines, tty.line)
			tty.line = nil
			if tm.Lflag&abi.ECHO == 0 && tm.Lflag&abi.ECHONL != 0 {
				tty.outputLocked([]byte{'\n'})
				continue
			}
			tty.echoLocked(c)
		default:
			tty.line = append(tty.line, c)
			tty.echoLocked(c)
		}
	}
	tty.mu.Unlock()
	tty.sq.Notify(abi.POLLIN)
	tty.mq.Notify(abi.POLLIN)
	if len(sigs) > 0 {
		k := tty.k
		k.mu.Lock()
		var wake []*Task
		for _, s := range sigs {
			wake = append(wake, k.signalGroupLocked(tty.fg, s)...)
		}
		k.mu.Unlock()
		wakeAll(wake)
	}
}

// echoLocked echoes an input character when ECHO is on: control
// characters as ^X with ECHOCTL (but tab and newline as themselves).
func (tty *TTY) echoLocked(c byte) {
	tm := &tty.termios
	if tm.Lflag&abi.ECHO == 0 {
		return
	}
	if tm.Lflag&abi.ECHOCTL != 0 && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' {
		tty.outputLocked([]byte{'^', c ^ 0x40})
		return
	}
	tty.outputLocked([]byte{c})
}

// outputLocked puts bytes the master will read, with output processing
// (OPOST, ONLCR).
func (tty *TTY) outputLocked(b []byte) {
	tm := &tty.termios
	if tm.Oflag&abi.OPOST == 0 || tm.Oflag&abi.ONLCR == 0 {
		tty.out = append(tty.out, b...)
		return
	}
	for _, c := range b {
		if c == '\n' {
			tty.out = append(tty.out, '\r')
		}
		tty.out = append(tty.out, c)
	}
}

// readableLocked reports whether a slave read would return now.
func (tty *TTY) readableLocked() bool {
	if tty.hungUp {
		return true
	}
	if tty.termios.Lflag&abi.ICANON != 0 {
		return len(tty.lines) > 0
	}
	return len(tty.raw) > 0 || tty.termios.Cc[abi.VMIN] == 0
}

// wait sleeps on q until cond (checked with tty.mu held) holds.
func (tty *TTY) wait(ctx vfs.Context, f *vfs.File, q *vfs.Queue, mask uint32, deadline time.Time, cond func() bool) error {
	w := vfs.NewWaiter()
	q.Add(w, mask)
	defer q.Remove(w)
	for {
		tty.mu.Lock()
		ok := cond()
		tty.mu.Unlock()
		if ok {
			return nil
		}
		if f.NonBlocking() {
			return abi.EAGAIN
		}
		if err := ctx.Block(w, deadline); err != nil {
			return err
		}
	}
}

// slaveRead is read(2) on the slave.
func (tty *TTY) slaveRead(ctx vfs.Context, f *vfs.File, dst []byte) (int, error) {
	if err := tty.jobControl(ctx, abi.SIGTTIN); err != nil {
		return 0, err
	}
	var deadline time.Time
	tty.mu.Lock()
	if tty.termios.Lflag&abi.ICANON == 0 && tty.termios.Cc[abi.VMIN] == 0 && tty.termios.Cc[abi.VTIME] > 0 {
		deadline = time.Now().Add(time.Duration(tty.termios.Cc[abi.VTIME]) * 100 * time.Millisecond)
	}
	tty.mu.Unlock()
	err := tty.wait(ctx, f, &tty.sq, abi.POLLIN, deadline, tty.readableLocked)
	if err == abi.ETIMEDOUT {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	tty.mu.Lock()
	defer tty.mu.Unlock()
	if tty.termios.Lflag&abi.ICANON != 0 {
		if len(tty.lines) == 0 {
			return 0, nil
		}
		l := tty.lines[0]
		n := copy(dst, l)
		if n < len(l) {
			tty.lines[0] = l[n:]
		} else {
			tty.lines = tty.lines[1:]
		}
		return n, nil
	}
	n := copy(dst, tty.raw)
	tty.raw = tty.raw[n:]
	return n, nil
}

// slaveWrite is write(2) on the slave.
func (tty *TTY) slaveWrite(ctx vfs.Context, f *vfs.File, src []byte) (int, error) {
	tty.mu.Lock()
	tostop := tty.termios.Lflag&abi.TOSTOP != 0
	tty.mu.Unlock()
	if tostop {
		if err := tty.jobControl(ctx, abi.SIGTTOU); err != nil {
			return 0, err
		}
	}
	err := tty.wait(ctx, f, &tty.mq, abi.POLLOUT, time.Time{}, func() bool { return tty.hungUp || len(tty.out) < maxOutput })
	if err != nil {
		return 0, err
	}
	tty.mu.Lock()
	if tty.hungUp {
		tty.mu.Unlock()
		return 0, abi.EIO
	}
	tty.outputLocked(src)
	tty.mu.Unlock()
	tty.mq.Notify(abi.POLLIN)
	return len(src), nil
}

// masterRead is read(2) on the master: the slave's output. With no slave
// open and nothing left to read it fails with EIO.
func (tty *TTY) masterRead(ctx vfs.Context, f *vfs.File, dst []byte) (int, error) {
	err := tty.wait(ctx, f, &tty.mq, abi.POLLIN, time.Time{}, func() bool { return len(tty.out) > 0 || tty.slaves == 0 })
	if err != nil {
		return 0, err
	}
	tty.mu.Lock()
	n := copy(dst, tty.out)
	tty.out = tty.out[n:]
	empty := n == 0
	tty.mu.Unlock()
	if empty {
		return 0, abi.EIO
	}
	tty.sq.Notify(abi.POLLOUT)
	tty.mq.Notify(abi.POLLOUT)
	return n, nil
}

// ioctl is the terminal ioctls, on either side (master means the call
// came through the master, whose TIOCGPGRP any process may ask).
func (tty *TTY) ioctl(ctx vfs.Context, master bool, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	t, _ := ctx.(*Task)
	switch cmd {
	case abi.TCGETS:
		tty.mu.Lock()
		tm := tty.termios
		tty.mu.Unlock()
		return 0, vfs.PutTermios(mem, arg, tm)
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		tm, err := vfs.GetTermios(mem, arg)
		if err != nil {
			return 0, err
		}
		if !master {
			if err := tty.jobControl(ctx, abi.SIGTTOU); err != nil {
				return 0, err
			}
		}
		tty.mu.Lock()
		if cmd == abi.TCSETSF {
			tty.lines, tty.raw, tty.line = nil, nil, nil
		}
		if tty.termios.Lflag&abi.ICANON != 0 && tm.Lflag&abi.ICANON == 0 {
			// Leaving canonical mode: what was typed becomes readable.
			for _, l := range tty.lines {
				tty.raw = append(tty.raw, l...)
			}
			tty.raw = append(tty.raw, tty.line...)
			tty.lines, tty.line = nil, nil
		}
		tty.termios = tm
		tty.mu.Unlock()
		tty.sq.Notify(abi.POLLIN)
		return 0, nil
	case abi.TIOCGWINSZ:
		tty.mu.Lock()
		w := tty.winsize
		tty.mu.Unlock()
		return 0, vfs.PutWinsize(mem, arg, w)
	case abi.TIOCSWINSZ:
		w, err := vfs.GetWinsize(mem, arg)
		if err != nil {
			return 0, err
		}
		tty.mu.Lock()
		changed := w != tty.winsize
		tty.winsize = w
		tty.mu.Unlock()
		if changed {
			k := tty.k
			k.mu.Lock()
			wake := k.signalGroupLocked(tty.fg, abi.SIGWINCH)
			k.mu.Unlock()
			wakeAll(wake)
		}
		return 0, nil
	case abi.FIONREAD:
		tty.mu.Lock()
		n := len(tty.raw)
		if master {
			n = len(tty.out)
		} else if tty.termios.Lflag&abi.ICANON != 0 {
			n = 0
			for _, l := range tty.lines {
				n += len(l)
			}
		}
		tty.mu.Unlock()
		return 0, vfs.PutUint32(mem, arg, uint32(n))
	case abi.TCFLSH:
		tty.mu.Lock()
		if arg == abi.TCIFLUSH || arg == abi.TCIOFLUSH {
			tty.lines, tty.raw, tty.line = nil, nil, nil
		}
		if arg == abi.TCOFLUSH || arg == abi.TCIOFLUSH {
			tty.out = nil
		}
		tty.mu.Unlock()
		if arg > abi.TCIOFLUSH {
			return 0, abi.EINVAL
		}
		return 0, nil
	case abi.TIOCGPTN:
		if !master {
			return 0, abi.ENOTTY
		}
		return 0, vfs.PutUint32(mem, arg, uint32(tty.index))
	case abi.TIOCSPTLCK:
		if !master {
			return 0, abi.ENOTTY
		}
		var b [4]byte
		if err := mem.CopyIn(arg, b[:]); err != nil {
			return 0, err
		}
		tty.mu.Lock()
		tty.locked = b != [4]byte{}
		tty.mu.Unlock()
		return 0, nil
	}
	if t == nil {
		return 0, abi.ENOTTY
	}
	return tty.jobIoctl(t, master, cmd, arg, mem)
}

// jobIoctl is the controlling-terminal ioctls, with tty_ioctl's rules.
func (tty *TTY) jobIoctl(t *Task, master bool, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	k := tty.k
	p := t.proc
	switch cmd {
	case abi.TIOCSCTTY:
		k.mu.Lock()
		defer k.mu.Unlock()
		if p.ctty == tty {
			return 0, nil
		}
		// Only a session leader without a terminal may take one
		// (tiocsctty).
		if p.pgrp == nil || p.pgrp.session.sid != p.pid || p.ctty != nil {
			return 0, abi.EPERM
		}
		if tty.session != nil {
			// Another session's terminal: root may steal it with
			// arg 1.
			c := p.creds
			if arg != 1 || !c.Privileged() {
				return 0, abi.EPERM
			}
			tty.disassociateLocked()
		}
		tty.acquireLocked(p)
		return 0, nil
	case abi.TIOCNOTTY:
		k.mu.Lock()
		if p.ctty != tty {
			k.mu.Unlock()
			return 0, abi.ENOTTY
		}
		var wake []*Task
		if p.pgrp != nil && p.pgrp.session.sid == p.pid {
			wake = k.exitSessionLeaderLocked(p)
		} else {
			p.ctty = nil
		}
		k.mu.Unlock()
		wakeAll(wake)
		return 0, nil
	case abi.TIOCGSID:
		k.mu.Lock()
		defer k.mu.Unlock()
		if (!master && p.ctty != tty) || tty.session == nil {
			return 0, abi.ENOTTY
		}
		return 0, vfs.PutUint32(mem, arg, uint32(tty.session.sid))
	case abi.TIOCGPGRP:
		k.mu.Lock()
		if !master && p.ctty != tty {
			k.mu.Unlock()
			return 0, abi.ENOTTY
		}
		var pgid int32
		if tty.fg != nil {
			pgid = tty.fg.pgid
		}
		k.mu.Unlock()
		return 0, vfs.PutUint32(mem, arg, uint32(pgid))
	case abi.TIOCSPGRP:
		if err := tty.jobControl(t, abi.SIGTTOU); err != nil {
			return 0, err
		}
		var b [4]byte
		if err := mem.CopyIn(arg, b[:]); err != nil {
			return 0, err
		}
		pgid := int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		k.mu.Lock()
		defer k.mu.Unlock()
		if p.ctty != tty || tty.session == nil || p.pgrp == nil || p.pgrp.session != tty.session {
			return 0, abi.ENOTTY
		}
		if pgid < 0 {
			return 0, abi.EINVAL
		}
		g := k.pgrps[pgid]
		if g == nil {
			return 0, abi.ESRCH
		}
		if g.session != tty.session {
			return 0, abi.EPERM
		}
		tty.fg = g
		return 0, nil
	}
	return 0, abi.ENOTTY
}

// ptyMaster is an open master.
type ptyMaster struct{ tty *TTY }

func (m *ptyMaster) IsStream() {}

func (m *ptyMaster) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	return m.tty.masterRead(ctx, f, dst)
}

func (m *ptyMaster) Write(_ vfs.Context, _ *vfs.File, src []byte, _ int64) (int, error) {
	m.tty.input(src)
	return len(src), nil
}

func (m *ptyMaster) Readiness(mask uint32) uint32 {
	tty := m.tty
	tty.mu.Lock()
	defer tty.mu.Unlock()
	r := uint32(abi.POLLOUT)
	if len(tty.out) > 0 {
		r |= abi.POLLIN
	}
	if tty.slaves == 0 && !tty.locked {
		r |= abi.POLLHUP
	}
	return r & (mask | abi.POLLHUP | abi.POLLERR)
}

func (m *ptyMaster) Queue() *vfs.Queue { return &m.tty.mq }

func (m *ptyMaster) Ioctl(ctx vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	return m.tty.ioctl(ctx, true, cmd, arg, mem)
}

// Release hangs the slave up when the master's last file goes.
func (m *ptyMaster) Release() {
	tty := m.tty
	tty.mu.Lock()
	tty.hungUp = true
	free := tty.slaves == 0
	tty.mu.Unlock()
	tty.hangUp()
	if free {
		tty.release()
	}
}

// ptySlave is an open slave.
type ptySlave struct{ tty *TTY }

func (s *ptySlave) IsStream() {}

func (s *ptySlave) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	return s.tty.slaveRead(ctx, f, dst)
}

func (s *ptySlave) Write(ctx vfs.Context, f *vfs.File, src []byte, _ int64) (int, error) {
	return s.tty.slaveWrite(ctx, f, src)
}

func (s *ptySlave) Readiness(mask uint32) uint32 {
	tty := s.tty
	tty.mu.Lock()
	defer tty.mu.Unlock()
	r := uint32(0)
	if tty.readableLocked() {
		r |= abi.POLLIN
	}
	if tty.hungUp {
		r |= abi.POLLHUP
	} else if len(tty.out) < maxOutput {
		r |= abi.POLLOUT
	}
	return r & (mask | abi.POLLHUP | abi.POLLERR)
}

func (s *ptySlave) Queue() *vfs.Queue { return &s.tty.sq }

func (s *ptySlave) Ioctl(ctx vfs.Context, _ *vfs.File, cmd uint32, arg uint64, mem vfs.Memory) (uint64, error) {
	s.tty.mu.Lock()
	hungUp := s.tty.hungUp
	s.tty.mu.Unlock()
	if hungUp {
		// hung_up_tty_ioctl.
		if cmd == abi.TIOCSPGRP {
			return 0, abi.ENOTTY
		}
		return 0, abi.EIO
	}
	return s.tty.ioctl(ctx, false, cmd, arg, mem)
}

// Release counts the slave's files; the master reads EIO once none is
// left.
func (s *ptySlave) Release() {
	tty := s.tty
	tty.mu.Lock()
	tty.slaves--
	free := tty.slaves == 0 && tty.hungUp
	tty.mu.Unlock()
	tty.mq.Notify(abi.POLLIN | abi.POLLHUP)
	if free {
		tty.release()
	}
}
