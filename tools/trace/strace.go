package trace

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/observe"
)

// Options are strace's options, as paddock understands them.
type Options struct {
	Follow      bool    // -f: trace every process and thread, not only the first
	StringLimit int     // -s: the longest string printed (strace's default is 32)
	Timestamps  int     // -t (1), -tt (2), -ttt (3)
	Durations   bool    // -T: time spent in each call
	FDPaths     bool    // -y: descriptors with their paths
	Summary     bool    // -c: a table of counts and times instead of the trace
	SummaryToo  bool    // -C: the table after the trace
	JSON        bool    // one JSON object per line instead of strace's text
	Explain     bool    // a note on what each syscall does, the first time it appears
	PIDColumn   bool    // prefix every line with the pid (strace -o FILE with -f)
	Filter      *Filter // -e: which calls and signals print; nil prints all
	// Syscalls describes the calls; a call it does not describe prints
	// with six raw arguments.
	Syscalls Syscalls
}

// Syscalls describes syscalls to the tracer: what each argument and the
// result are, and a note on what the call does. The kernel's syscall
// table (kernel.SyscallTable) is one.
type Syscalls interface {
	Describe(nr abi.Sysno) (d abi.SyscallDesc, explain string, ok bool)
}

// Strace writes a trace of a kernel's syscalls, signals and exits in
// strace's format. It implements observe.Tracer.
type Strace struct {
	mu        sync.Mutex
	w         io.Writer
	opts      Options
	first     int32 // the first task seen; without -f only it is traced
	live      map[int32]bool
	calls     map[int32]*pending // per task: the call in progress
	open      *pending           // the call whose line is unfinished on the output
	col       int                // the output column of the open line
	explained map[abi.Sysno]bool
	specs     [abi.MaxSysno]*spec // built from Options.Syscalls as calls appear
	stats     map[abi.Sysno]*tally
	enc       *json.Encoder
}

// pending is a call between entry and exit.
type pending struct {
	tid, pid int32
	nr       abi.Sysno
	name     string
	shown    bool // printed (the filter took it)
	start    time.Time
	slept    time.Duration // the task's sleep when the call began
	entry    []string      // arguments printed at entry
	resumeAt int           // index of the first argument printed at exit
}

// tally returns nr's row of -c's table.
func (s *Strace) tally(nr abi.Sysno) *tally {
	t := s.stats[nr]
	if t == nil {
		t = &tally{}
		s.stats[nr] = t
	}
	return t
}

// tally is one row of -c's table.
type tally struct {
	calls, errors int
	time          time.Duration
}

// New returns a tracer writing to w.
func New(w io.Writer, opts Options) *Strace {
	if opts.StringLimit <= 0 {
		opts.StringLimit = 32
	}
	s := &Strace{w: w, opts: opts, first: -1, live: map[int32]bool{}, calls: map[int32]*pending{},
		explained: map[abi.Sysno]bool{}, stats: map[abi.Sysno]*tally{}}
	if opts.JSON {
		s.enc = json.NewEncoder(w)
	}
	return s
}

// spec returns how call nr prints; ok is false for a call without a
// description. The lock is held.
func (s *Strace) spec(nr abi.Sysno) (spec, bool) {
	if nr >= abi.MaxSysno || s.opts.Syscalls == nil {
		return spec{}, false
	}
	if sp := s.specs[nr]; sp != nil {
		return *sp, true
	}
	d, _, ok := s.opts.Syscalls.Describe(nr)
	if !ok {
		return spec{}, false
	}
	sp := specOf(d)
	s.specs[nr] = &sp
	return sp, true
}

// explain returns the note on what call nr does.
func (s *Strace) explain(nr abi.Sysno) string {
	if s.opts.Syscalls != nil {
		if _, e, ok := s.opts.Syscalls.Describe(nr); ok {
			return e
		}
	}
	return "a call paddock does not implement: the program gets ENOSYS"
}

// traced reports whether events of t are traced; the lock is held.
func (s *Strace) traced(t observe.Task) bool {
	tid := t.TID()
	if s.first < 0 {
		s.first = tid
	}
	if !s.opts.Follow && tid != s.first {
		return false
	}
	s.live[tid] = true
	return true
}

// text reports whether the trace itself is printed (not only -c).
func (s *Strace) text() bool { return !s.opts.Summary && !s.opts.JSON }

// SyscallEnter implements observe.Tracer.
func (s *Strace) SyscallEnter(t observe.Task, nr abi.Sysno, args [6]uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.traced(t) {
		return
	}
	p := &pending{tid: t.TID(), pid: t.TGID(), nr: nr, name: nr.Name(), start: time.Now(), slept: t.Slept()}
	s.calls[p.tid] = p
	p.shown = s.opts.Filter.call(nr)
	if !p.shown || !s.text() {
		return
	}
	sp, ok := s.spec(nr)
	c := &call{s: s, t: t, nr: nr, args: args}
	p.resumeAt = len(sp.args)
	if !ok {
		// No decoder: strace prints six raw arguments for an unknown
		// call.
		p.resumeAt = 6
		for i := range 6 {
			p.entry = append(p.entry, "0x"+strconv.FormatUint(args[i], 16))
		}
	}
	for i, a := range sp.args {
		if a.out {
			p.resumeAt = i
			break
		}
		if v := a.f(c, i); v != omit {
			p.entry = append(p.entry, v)
		}
	}
	s.endOpen()
	if s.opts.Explain && !s.explained[nr] {
		s.explained[nr] = true
		fmt.Fprintf(s.w, "%s# %s: %s\n", s.prefix(p.tid), p.name, s.explain(nr))
	}
	line := s.prefix(p.tid) + p.name + "(" + strings.Join(p.entry, ", ")
	if p.resumeAt < len(sp.args) && len(p.entry) > 0 {
		line += ", "
	}
	io.WriteString(s.w, line)
	s.open, s.col = p, len(line)
}

// SyscallExit implements observe.Tracer.
func (s *Strace) SyscallExit(t observe.Task, nr abi.Sysno, args [6]uint64, ret uint64, errno abi.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.calls[t.TID()]
	if p == nil || p.nr != nr {
		return
	}
	delete(s.calls, p.tid)
	if !p.shown {
		return
	}
	d := time.Since(p.start)
	st := s.tally(nr)
	st.calls++
	// -c counts system time, as strace does: the call's time less what
	// it spent asleep.
	st.time += max(d-(t.Slept()-p.slept), 0)
	if errno != 0 {
		st.errors++
	}
	c := &call{s: s, t: t, nr: nr, args: args, ret: ret, errno: errno, exit: true}
	sp, ok := s.spec(nr)
	if s.opts.JSON {
		s.json(p, c, sp, ok, d)
		return
	}
	if !s.text() {
		return
	}
	var rest []string
	for i := p.resumeAt; i < len(sp.args); i++ {
		if v := sp.args[i].f(c, i); v != omit {
			rest = append(rest, v)
		}
	}
	s.resume(p)
	line := strings.Join(rest, ", ") + ")"
	s.col += len(line)
	line += s.pad() + "= " + s.result(c, sp)
	if s.opts.Durations {
		line += fmt.Sprintf(" <%.6f>", d.Seconds())
	}
	io.WriteString(s.w, line+"\n")
	s.open = nil
}

// resume continues p's line: it is still open, or it was cut and starts
// again as strace's "<... NAME resumed>".
func (s *Strace) resume(p *pending) {
	if s.open == p {
		return
	}
	s.endOpen()
	line := s.prefix(p.tid) + "<... " + p.name + " resumed>"
	io.WriteString(s.w, line)
	s.open, s.col = p, len(line)
}

// endOpen ends another call's unfinished line.
func (s *Strace) endOpen() {
	if s.open == nil {
		return
	}
	io.WriteString(s.w, " <unfinished ...>\n")
	s.open = nil
}

// pad is the space before "= ": to column 40, as strace aligns results.
func (s *Strace) pad() string {
	if s.col < 40 {
		return strings.Repeat(" ", 40-s.col)
	}
	return " "
}

// prefix is a line's start: the pid when several tasks are traced, and
// the time under -t.
func (s *Strace) prefix(tid int32) string {
	var b strings.Builder
	switch {
	case s.opts.PIDColumn:
		fmt.Fprintf(&b, "%-5d ", tid)
	case len(s.live) > 1:
		fmt.Fprintf(&b, "[pid %5d] ", tid)
	}
	now := time.Now()
	switch s.opts.Timestamps {
	case 1:
		b.WriteString(now.Format("15:04:05 "))
	case 2:
		b.WriteString(now.Format("15:04:05.000000 "))
	case 3:
		fmt.Fprintf(&b, "%d.%06d ", now.Unix(), now.Nanosecond()/1000)
	}
	return b.String()
}

// result prints a call's result as strace does.
func (s *Strace) result(c *call, sp spec) string {
	if c.errno != 0 {
		switch c.errno {
		case abi.ERESTARTSYS:
			return "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
		case abi.ERESTARTNOINTR:
			return "? ERESTARTNOINTR (To be restarted)"
		case abi.ERESTARTNOHAND:
			return "? ERESTARTNOHAND (To be restarted if no handler)"
		case abi.ERESTART_RESTARTBLOCK:
			return "? ERESTART_RESTARTBLOCK (Interrupted by signal)"
		}
		return "-1 " + c.errno.Name() + " (" + c.errno.Error() + ")"
	}
	switch sp.ret {
	case abi.RetAddr:
		return "0x" + strconv.FormatUint(c.ret, 16)
	case abi.RetOctal:
		return octal(c.ret)
	case abi.RetFD:
		return c.fd(c.ret)
	case abi.RetFcntl:
		return fcntlResult(c)
	}
	return strconv.FormatInt(int64(c.ret), 10)
}

// Signal implements observe.Tracer.
func (s *Strace) Signal(t observe.Task, info abi.Siginfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.traced(t) || !s.opts.Filter.signal(info.Signo) {
		return
	}
	if s.opts.JSON {
		s.enc.Encode(map[string]any{"ts": now(), "pid": t.TGID(), "tid": t.TID(), "signal": info.Signo.String(), "siginfo": siginfo(info)})
		return
	}
	if !s.text() {
		return
	}
	s.endOpen()
	fmt.Fprintf(s.w, "%s--- %s %s ---\n", s.prefix(t.TID()), info.Signo, siginfo(info))
}

// Stopped implements observe.Tracer: strace's line for a group stop.
func (s *Strace) Stopped(t observe.Task, sig abi.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.traced(t) || !s.opts.Filter.signal(sig) {
		return
	}
	if s.opts.JSON {
		s.enc.Encode(map[string]any{"ts": now(), "pid": t.TGID(), "tid": t.TID(), "stopped": sig.String()})
		return
	}
	if !s.text() {
		return
	}
	s.endOpen()
	fmt.Fprintf(s.w, "%s--- stopped by %s ---\n", s.prefix(t.TID()), sig)
}

// Exit implements observe.Tracer.
func (s *Strace) Exit(t observe.Task, exited bool, code int, sig abi.Signal, core bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tid := t.TID()
	if !s.traced(t) {
		return
	}
	var msg string
	switch {
	case exited:
		msg = "exited with " + strconv.Itoa(code)
	case core:
		msg = "killed by " + sig.String() + " (core dumped)"
	default:
		msg = "killed by " + sig.String()
	}
	p := s.calls[tid]
	delete(s.calls, tid)
	if s.opts.JSON {
		s.enc.Encode(map[string]any{"ts": now(), "pid": t.TGID(), "tid": tid, "exit": msg})
	} else if s.text() {
		if p != nil && p.shown {
			// The call never returned (exit, exit_group, or a thread
			// killed in a blocking call): strace prints "= ?".
			s.resume(p)
			s.col++
			io.WriteString(s.w, ")"+s.pad()+"= ?\n")
			s.open = nil
		}
		s.endOpen()
		fmt.Fprintf(s.w, "%s+++ %s +++\n", s.prefix(tid), msg)
	}
	delete(s.live, tid)
}

// Close writes -c's table, if asked for.
func (s *Strace) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endOpen()
	if s.opts.Summary || s.opts.SummaryToo {
		writeSummary(s.w, s.stats)
	}
}

func now() float64 { return float64(time.Now().UnixNano()) / 1e9 }

// siginfo prints a siginfo as strace does, with the fields its code has.
func siginfo(info abi.Siginfo) string {
	code := siCode(info)
	s := "{si_signo=" + info.Signo.String() + ", si_code=" + code
	switch {
	case info.Code == abi.SI_USER || info.Code == abi.SI_TKILL || info.Code == abi.SI_QUEUE:
		s += ", si_pid=" + strconv.Itoa(int(info.Pid())) + ", si_uid=" + strconv.Itoa(int(info.UID()))
		if info.Code == abi.SI_QUEUE {
			s += ", si_int=" + strconv.Itoa(int(int32(info.Value()))) + ", si_ptr=" + ptr(info.Value())
		}
	case info.Signo == abi.SIGCHLD && info.Code > 0:
		s += ", si_pid=" + strconv.Itoa(int(info.Pid())) + ", si_uid=" + strconv.Itoa(int(info.UID()))
		if info.Code == abi.CLD_EXITED {
			s += ", si_status=" + strconv.Itoa(int(info.Status()))
		} else {
			s += ", si_status=" + abi.Signal(info.Status()).String()
		}
		s += ", si_utime=0, si_stime=0"
	case info.Code > 0 && info.Code != abi.SI_KERNEL && faultSignal(info.Signo):
		s += ", si_addr=" + ptr(info.Addr())
	case info.Code > 0 && info.Code != abi.SI_KERNEL:
		// A code the signal does not define (a child's exit signal other
		// than SIGCHLD): strace shows the sender and the value.
		s += ", si_pid=" + strconv.Itoa(int(info.Pid())) + ", si_uid=" + strconv.Itoa(int(info.UID())) +
			", si_int=" + strconv.Itoa(int(int32(info.Value()))) + ", si_ptr=" + ptr(info.Value())
	}
	return s + "}"
}

func faultSignal(sig abi.Signal) bool {
	switch sig {
	case abi.SIGSEGV, abi.SIGBUS, abi.SIGILL, abi.SIGFPE, abi.SIGTRAP:
		return true
	}
	return false
}

// siCode names a siginfo's si_code.
func siCode(info abi.Siginfo) string {
	switch info.Code {
	case abi.SI_USER:
		return "SI_USER"
	case abi.SI_KERNEL:
		return "SI_KERNEL"
	case abi.SI_QUEUE:
		return "SI_QUEUE"
	case abi.SI_TIMER:
		return "SI_TIMER"
	case abi.SI_MESGQ:
		return "SI_MESGQ"
	case abi.SI_ASYNCIO:
		return "SI_ASYNCIO"
	case abi.SI_SIGIO:
		return "SI_SIGIO"
	case abi.SI_TKILL:
		return "SI_TKILL"
	}
	names := map[abi.Signal][]string{
		abi.SIGCHLD: {"CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"},
		abi.SIGSEGV: {"SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"},
		abi.SIGBUS:  {"BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"},
		abi.SIGILL:  {"ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"},
		abi.SIGFPE:  {"FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"},
		abi.SIGTRAP: {"TRAP_BRKPT", "TRAP_TRACE"},
	}[info.Signo]
	if info.Code >= 1 && int(info.Code) <= len(names) {
		return names[info.Code-1]
	}
	return "0x" + strconv.FormatUint(uint64(uint32(info.Code)), 16)
}

// jsonCall is the JSON form of one call.
type jsonCall struct {
	TS       float64   `json:"ts"`
	PID      int32     `json:"pid"`
	TID      int32     `json:"tid"`
	Nr       int       `json:"nr"`
	Name     string    `json:"name"`
	Args     []string  `json:"args"`
	Raw      [6]uint64 `json:"raw"`
	Ret      int64     `json:"ret"`
	Errno    string    `json:"errno,omitempty"`
	Duration float64   `json:"duration"`
}

// json writes a call as one JSON object.
func (s *Strace) json(p *pending, c *call, sp spec, ok bool, d time.Duration) {
	j := jsonCall{TS: float64(p.start.UnixNano()) / 1e9, PID: p.pid, TID: p.tid, Nr: int(c.nr), Name: p.name,
		Raw: c.args, Ret: int64(c.ret), Duration: d.Seconds(), Args: []string{}}
	if c.errno != 0 {
		j.Ret, j.Errno = -1, c.errno.Name()
	}
	if ok {
		// Every argument is decoded at exit here: in-arguments read the
		// same as at entry unless the call changed them.
		for i, a := range sp.args {
			if v := a.f(c, i); v != omit {
				j.Args = append(j.Args, v)
			}
		}
	}
	s.enc.Encode(j)
}
