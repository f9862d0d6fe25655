package abi

import "strconv"

// Signal is a Linux signal number (1..64).
type Signal int

// Signal numbers on x86_64 (arch/x86/include/uapi/asm/signal.h).
const (
	SIGHUP    Signal = 1
	SIGINT    Signal = 2
	SIGQUIT   Signal = 3
	SIGILL    Signal = 4
	SIGTRAP   Signal = 5
	SIGABRT   Signal = 6
	SIGBUS    Signal = 7
	SIGFPE    Signal = 8
	SIGKILL   Signal = 9
	SIGUSR1   Signal = 10
	SIGSEGV   Signal = 11
	SIGUSR2   Signal = 12
	SIGPIPE   Signal = 13
	SIGALRM   Signal = 14
	SIGTERM   Signal = 15
	SIGSTKFLT Signal = 16
	SIGCHLD   Signal = 17
	SIGCONT   Signal = 18
	SIGSTOP   Signal = 19
	SIGTSTP   Signal = 20
	SIGTTIN   Signal = 21
	SIGTTOU   Signal = 22
	SIGURG    Signal = 23
	SIGXCPU   Signal = 24
	SIGXFSZ   Signal = 25
	SIGVTALRM Signal = 26
	SIGPROF   Signal = 27
	SIGWINCH  Signal = 28
	SIGIO     Signal = 29
	SIGPWR    Signal = 30
	SIGSYS    Signal = 31
	SIGRTMIN  Signal = 32
	SIGRTMAX  Signal = 64
	NSIG             = 64
)

var signalNames = [...]string{
	SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
	SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
	SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
	SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGSTKFLT: "SIGSTKFLT",
	SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
	SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU",
	SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH",
	SIGIO: "SIGIO", SIGPWR: "SIGPWR", SIGSYS: "SIGSYS",
}

// String returns the signal's name as strace prints it ("SIGSEGV",
// "SIGRT_3").
func (s Signal) String() string {
	if s > 0 && int(s) < len(signalNames) && signalNames[s] != "" {
		return signalNames[s]
	}
	if s == SIGRTMIN {
		return "SIGRTMIN"
	}
	if s > SIGRTMIN && s <= SIGRTMAX {
		return "SIGRT_" + strconv.Itoa(int(s-SIGRTMIN))
	}
	return strconv.Itoa(int(s))
}

// Valid reports whether s is a signal number (1..64).
func (s Signal) Valid() bool { return s >= 1 && s <= SIGRTMAX }

// SigSet is a kernel signal set: bit n-1 stands for signal n.
type SigSet uint64

// SigSetOf returns the set holding the given signals.
func SigSetOf(sigs ...Signal) SigSet {
	var s SigSet
	for _, sig := range sigs {
		s |= 1 << (sig - 1)
	}
	return s
}

// Has reports whether sig is in s.
func (s SigSet) Has(sig Signal) bool { return s&(1<<(sig-1)) != 0 }

// UnblockableSignals can never be blocked or ignored.
var UnblockableSignals = SigSetOf(SIGKILL, SIGSTOP)

// sigaction flags.
const (
	SA_NOCLDSTOP = 0x1
	SA_NOCLDWAIT = 0x2
	SA_SIGINFO   = 0x4
	SA_RESTORER  = 0x04000000
	SA_ONSTACK   = 0x08000000
	SA_RESTART   = 0x10000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
)

// Special handler values.
const (
	SIG_DFL = 0
	SIG_IGN = 1
)

// sigprocmask how values.
const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
)

// SigAction is the kernel's struct sigaction for rt_sigaction on x86_64
// (arch/x86/include/asm/signal.h):
//
//	0 sa_handler u64   8 sa_flags u64   16 sa_restorer u64   24 sa_mask u64
type SigAction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     SigSet
}

// SizeofSigAction is the size of the kernel struct sigaction.
const SizeofSigAction = 32

// Encode writes a into b[:32].
func (a *SigAction) Encode(b []byte) {
	le.PutUint64(b[0:], a.Handler)
	le.PutUint64(b[8:], a.Flags)
	le.PutUint64(b[16:], a.Restorer)
	le.PutUint64(b[24:], uint64(a.Mask))
}

// DecodeSigAction reads a kernel struct sigaction from b[:32].
func DecodeSigAction(b []byte) SigAction {
	return SigAction{
		Handler:  le.Uint64(b[0:]),
		Flags:    le.Uint64(b[8:]),
		Restorer: le.Uint64(b[16:]),
		Mask:     SigSet(le.Uint64(b[24:])),
	}
}

// StackT is stack_t, the sigaltstack argument:
//
//	0 ss_sp u64   8 ss_flags i32   12 pad   16 ss_size u64
type StackT struct {
	Sp    uint64
	Flags int32
	Size  uint64
}

// SizeofStackT is sizeof(stack_t).
const SizeofStackT = 24

// Encode writes s into b[:24].
func (s StackT) Encode(b []byte) {
	clear(b[:SizeofStackT])
	le.PutUint64(b[0:], s.Sp)
	le.PutUint32(b[8:], uint32(s.Flags))
	le.PutUint64(b[16:], s.Size)
}

// DecodeStackT reads a stack_t from b[:24].
func DecodeStackT(b []byte) StackT {
	return StackT{Sp: le.Uint64(b[0:]), Flags: int32(le.Uint32(b[8:])), Size: le.Uint64(b[16:])}
}

// sigaltstack flags and sizes.
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = -1 << 31
	MINSIGSTKSZ   = 2048
)

// si_code values (include/uapi/asm-generic/siginfo.h).
const (
	SI_USER    = 0
	SI_KERNEL  = 0x80
	SI_QUEUE   = -1
	SI_TIMER   = -2
	SI_MESGQ   = -3
	SI_ASYNCIO = -4
	SI_SIGIO   = -5
	SI_TKILL   = -6

	SEGV_MAPERR = 1
	SEGV_ACCERR = 2
	BUS_ADRALN  = 1
	BUS_ADRERR  = 2
	ILL_ILLOPC  = 1
	ILL_ILLOPN  = 2
	ILL_PRVOPC  = 5
	FPE_INTDIV  = 1
	FPE_INTOVF  = 2
	TRAP_BRKPT  = 1
	TRAP_TRACE  = 2

	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_TRAPPED   = 4
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// SizeofSiginfo is sizeof(siginfo_t).
const SizeofSiginfo = 128

// Siginfo is siginfo_t. Its union is kept as raw fields named after what
// they hold for each kind of signal; Encode places them the way Linux does:
//
//	0 si_signo i32   4 si_errno i32   8 si_code i32   12 pad
//	16: kill/rt/chld: si_pid i32, 20 si_uid u32;
//	    chld: 24 si_status i32, 32 si_utime i64, 40 si_stime i64;
//	    rt/timer: 24 si_value (u64) (timer: 16 si_tid, 20 si_overrun);
//	    fault: 16 si_addr u64; poll: 16 si_band i64, 24 si_fd i32
type Siginfo struct {
	Signo  Signal
	Errno  int32
	Code   int32
	Fields [14]uint64 // bytes 16..128 of the union, as 64-bit words
}

// SetPid sets si_pid and si_uid.
func (s *Siginfo) SetPid(pid int32, uid uint32) {
	s.Fields[0] = uint64(uint32(pid)) | uint64(uid)<<32
}

// Pid returns si_pid.
func (s *Siginfo) Pid() int32 { return int32(uint32(s.Fields[0])) }

// UID returns si_uid.
func (s *Siginfo) UID() uint32 { return uint32(s.Fields[0] >> 32) }

// SetStatus sets si_status (SIGCHLD).
func (s *Siginfo) SetStatus(st int32) {
	s.Fields[1] = s.Fields[1]&^0xffffffff | uint64(uint32(st))
}

// Status returns si_status.
func (s *Siginfo) Status() int32 { return int32(uint32(s.Fields[1])) }

// SetAddr sets si_addr (fault signals).
func (s *Siginfo) SetAddr(a uint64) { s.Fields[0] = a }

// Addr returns si_addr.
func (s *Siginfo) Addr() uint64 { return s.Fields[0] }

// SetValue sets si_value (sigqueue, timers).
func (s *Siginfo) SetValue(v uint64) { s.Fields[1] = v }

// Value returns si_value.
func (s *Siginfo) Value() uint64 { return s.Fields[1] }

// Encode writes s into b[:128].
func (s *Siginfo) Encode(b []byte) {
	b = b[:SizeofSiginfo]
	clear(b)
	le.PutUint32(b[0:], uint32(s.Signo))
	le.PutUint32(b[4:], uint32(s.Errno))
	le.PutUint32(b[8:], uint32(s.Code))
	for i, f := range s.Fields {
		le.PutUint64(b[16+8*i:], f)
	}
}

// DecodeSiginfo reads a siginfo_t from b[:128].
func DecodeSiginfo(b []byte) Siginfo {
	s := Siginfo{
		Signo: Signal(int32(le.Uint32(b[0:]))),
		Errno: int32(le.Uint32(b[4:])),
		Code:  int32(le.Uint32(b[8:])),
	}
	for i := range s.Fields {
		s.Fields[i] = le.Uint64(b[16+8*i:])
	}
	return s
}

// The x86_64 signal frame (arch/x86/include/asm/sigframe.h,
// uapi/asm/sigcontext.h, uapi/asm-generic/ucontext.h):
//
//	rt_sigframe:  0 pretcode (the restorer)   8 uc (ucontext)   312 info (siginfo, 128)
//	ucontext:     0 uc_flags  8 uc_link  16 uc_stack (stack_t, 24)  40 uc_mcontext (sigcontext, 256)
//	              296 uc_sigmask (8)
//	sigcontext:   r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax rcx rsp rip eflags (8 bytes each, 0..143)
//	              144 cs u16, 146 gs u16, 148 fs u16, 150 ss u16, 152 err, 160 trapno, 168 oldmask,
//	              176 cr2, 184 fpstate (pointer), 192 reserved1[8]
const (
	SizeofRtSigframe     = 440
	RtSigframeUC         = 8
	RtSigframeInfo       = 312
	UContextStack        = 16
	UContextMcontext     = 40
	UContextSigmask      = 296
	UC_FP_XSTATE         = 1
	UC_SIGCONTEXT_SS     = 2
	UC_STRICT_RESTORE_SS = 4
	// User code and stack segment selectors on x86_64 (__USER_CS,
	// __USER_DS).
	UserCS = 0x33
	UserDS = 0x2b
)

// Sigcontext is struct sigcontext, the registers in a signal frame's
// ucontext (the layout above).
type Sigcontext struct {
	R8, R9, R10, R11, R12, R13, R14, R15        uint64
	RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP uint64
	Eflags                                      uint64
	CS, GS, FS, SS                              uint16
	Err, Trapno, Oldmask, CR2                   uint64
	Fpstate                                     uint64 // the address of the FPU state
}

// SizeofSigcontext is sizeof(struct sigcontext).
const SizeofSigcontext = 256

// Encode writes s into b[:SizeofSigcontext], the reserved words zero.
func (s *Sigcontext) Encode(b []byte) {
	b = b[:SizeofSigcontext]
	clear(b)
	for i, v := range []uint64{s.R8, s.R9, s.R10, s.R11, s.R12, s.R13, s.R14, s.R15, s.RDI, s.RSI, s.RBP, s.RBX,
		s.RDX, s.RAX, s.RCX, s.RSP, s.RIP, s.Eflags} {
		le.PutUint64(b[8*i:], v)
	}
	le.PutUint16(b[144:], s.CS)
	le.PutUint16(b[146:], s.GS)
	le.PutUint16(b[148:], s.FS)
	le.PutUint16(b[150:], s.SS)
	le.PutUint64(b[152:], s.Err)
	le.PutUint64(b[160:], s.Trapno)
	le.PutUint64(b[168:], s.Oldmask)
	le.PutUint64(b[176:], s.CR2)
	le.PutUint64(b[184:], s.Fpstate)
}

// DecodeSigcontext reads a struct sigcontext from b[:SizeofSigcontext].
func DecodeSigcontext(b []byte) Sigcontext {
	w := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	return Sigcontext{R8: w(0), R9: w(1), R10: w(2), R11: w(3), R12: w(4), R13: w(5), R14: w(6), R15: w(7),
		RDI: w(8), RSI: w(9), RBP: w(10), RBX: w(11), RDX: w(12), RAX: w(13), RCX: w(14), RSP: w(15), RIP: w(16),
		Eflags: w(17), CS: le.Uint16(b[144:]), GS: le.Uint16(b[146:]), FS: le.Uint16(b[148:]), SS: le.Uint16(b[150:]),
		Err: w(19), Trapno: w(20), Oldmask: w(21), CR2: w(22), Fpstate: w(23)}
}

// Sigevent is struct sigevent (timer_create):
//
//	0 sigev_value (u64)   8 sigev_signo i32   12 sigev_notify i32
//	16 sigev_notify_thread_id i32 (the union; 64 bytes in all)
type Sigevent struct {
	Value  uint64
	Signo  int32
	Notify int32
	TID    int32
}

// SizeofSigevent is sizeof(struct sigevent).
const SizeofSigevent = 64

// DecodeSigevent reads a struct sigevent from b[:64].
func DecodeSigevent(b []byte) Sigevent {
	return Sigevent{Value: le.Uint64(b[0:]), Signo: int32(le.Uint32(b[8:])), Notify: int32(le.Uint32(b[12:])),
		TID: int32(le.Uint32(b[16:]))}
}

// sigev_notify values.
const (
	SIGEV_SIGNAL    = 0
	SIGEV_NONE      = 1
	SIGEV_THREAD    = 2
	SIGEV_THREAD_ID = 4
)

// Itimerval is struct itimerval: 0 it_interval (timeval), 16 it_value.
type Itimerval struct {
	Interval, Value Timeval
}

// Encode writes v into b[:32].
func (v Itimerval) Encode(b []byte) {
	v.Interval.Encode(b[0:])
	v.Value.Encode(b[16:])
}

// DecodeItimerval reads a struct itimerval from b[:32].
func DecodeItimerval(b []byte) Itimerval {
	return Itimerval{DecodeTimeval(b[0:]), DecodeTimeval(b[16:])}
}

// Itimerspec is struct itimerspec: 0 it_interval (timespec), 16 it_value.
type Itimerspec struct {
	Interval, Value Timespec
}

// Encode writes v into b[:32].
func (v Itimerspec) Encode(b []byte) {
	v.Interval.Encode(b[0:])
	v.Value.Encode(b[16:])
}

// SizeofItimerspec is sizeof(struct itimerspec): 0 it_interval, 16 it_value.
const SizeofItimerspec = 32

// DecodeItimerspec reads a struct itimerspec from b[:32].
func DecodeItimerspec(b []byte) Itimerspec {
	return Itimerspec{DecodeTimespec(b[0:]), DecodeTimespec(b[16:])}
}

// Interval timers.
const (
	ITIMER_REAL    = 0
	ITIMER_VIRTUAL = 1
	ITIMER_PROF    = 2
)

// Signalfd siginfo (struct signalfd_siginfo), 128 bytes:
//
//	0 ssi_signo u32  4 ssi_errno i32  8 ssi_code i32  12 ssi_pid u32
//	16 ssi_uid u32  20 ssi_fd i32  24 ssi_tid u32  28 ssi_band u32
//	32 ssi_overrun u32  36 ssi_trapno u32  40 ssi_status i32  44 ssi_int i32
//	48 ssi_ptr u64  56 ssi_utime u64  64 ssi_stime u64  72 ssi_addr u64
//	80 ssi_addr_lsb u16  84 ssi_syscall i32  88 ssi_call_addr u64
//	96 ssi_arch u32, then padding.
const SizeofSignalfdSiginfo = 128

// EncodeSignalfd writes s as a struct signalfd_siginfo into
// b[:SizeofSignalfdSiginfo]: the fields that the siginfo's layout holds,
// chosen by signal and code as Linux's signalfd_copyinfo and
// siginfo_layout do.
func (s *Siginfo) EncodeSignalfd(b []byte) {
	b = b[:SizeofSignalfdSiginfo]
	clear(b)
	le.PutUint32(b[0:], uint32(s.Signo))
	le.PutUint32(b[4:], uint32(s.Errno))
	le.PutUint32(b[8:], uint32(s.Code))
	lo, hi := uint32(s.Fields[0]), uint32(s.Fields[0]>>32)
	switch {
	case s.Code > SI_USER && s.Code < SI_KERNEL && s.Signo == SIGCHLD:
		le.PutUint32(b[12:], lo) // ssi_pid
		le.PutUint32(b[16:], hi) // ssi_uid
		le.PutUint32(b[40:], uint32(s.Fields[1]))
		le.PutUint64(b[56:], s.Fields[2])
		le.PutUint64(b[64:], s.Fields[3])
	case s.Code > SI_USER && s.Code < SI_KERNEL && synchronousFault(s.Signo):
		le.PutUint64(b[72:], s.Fields[0]) // ssi_addr
	case s.Code > SI_USER && s.Code < SI_KERNEL && s.Signo == SIGIO, s.Code == SI_SIGIO:
		le.PutUint32(b[28:], lo) // ssi_band
		le.PutUint32(b[20:], uint32(s.Fields[1]))
	case s.Code == SI_TIMER:
		le.PutUint32(b[24:], lo) // ssi_tid
		le.PutUint32(b[32:], hi) // ssi_overrun
		le.PutUint64(b[48:], s.Fields[1])
		le.PutUint32(b[44:], uint32(s.Fields[1]))
	case s.Code < 0:
		le.PutUint32(b[12:], lo)
		le.PutUint32(b[16:], hi)
		le.PutUint64(b[48:], s.Fields[1]) // ssi_ptr
		le.PutUint32(b[44:], uint32(s.Fields[1]))
	default:
		le.PutUint32(b[12:], lo)
		le.PutUint32(b[16:], hi)
	}
}

// synchronousFault reports whether sig is one a processor fault raises,
// whose specific si_codes carry a fault address.
func synchronousFault(sig Signal) bool {
	switch sig {
	case SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP:
		return true
	}
	return false
}
