package abi

// Resource limits (include/uapi/asm-generic/resource.h).
const (
	RLIMIT_CPU        = 0
	RLIMIT_FSIZE      = 1
	RLIMIT_DATA       = 2
	RLIMIT_STACK      = 3
	RLIMIT_CORE       = 4
	RLIMIT_RSS        = 5
	RLIMIT_NPROC      = 6
	RLIMIT_NOFILE     = 7
	RLIMIT_MEMLOCK    = 8
	RLIMIT_AS         = 9
	RLIMIT_LOCKS      = 10
	RLIMIT_SIGPENDING = 11
	RLIMIT_MSGQUEUE   = 12
	RLIMIT_NICE       = 13
	RLIMIT_RTPRIO     = 14
	RLIMIT_RTTIME     = 15
	RLIM_NLIMITS      = 16
	RLIM_INFINITY     = ^uint64(0)
)

// Rlimit is struct rlimit64: 0 rlim_cur u64, 8 rlim_max u64.
type Rlimit struct {
	Cur uint64
	Max uint64
}

// SizeofRlimit is sizeof(struct rlimit).
const SizeofRlimit = 16

// Encode writes r into b[:16].
func (r Rlimit) Encode(b []byte) {
	le.PutUint64(b[0:], r.Cur)
	le.PutUint64(b[8:], r.Max)
}

// DecodeRlimit reads a struct rlimit from b[:16].
func DecodeRlimit(b []byte) Rlimit {
	return Rlimit{Cur: le.Uint64(b[0:]), Max: le.Uint64(b[8:])}
}

// NewUtsLen is __NEW_UTS_LEN: the longest host name, domain name or
// other field of struct new_utsname (each field has room for a NUL
// after it). sethostname(2) calls it HOST_NAME_MAX.
const NewUtsLen = 64

// Utsname is struct new_utsname: six NUL-padded 65-byte fields.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// SizeofUtsname is sizeof(struct new_utsname).
const SizeofUtsname = 6 * (NewUtsLen + 1)

// Encode writes u into b[:390]; each field is truncated to 64 bytes.
func (u *Utsname) Encode(b []byte) {
	b = b[:SizeofUtsname]
	clear(b)
	for i, f := range [6]string{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname} {
		if len(f) > NewUtsLen {
			f = f[:NewUtsLen]
		}
		copy(b[(NewUtsLen+1)*i:], f)
	}
}

// DecodeUtsname reads a struct new_utsname: each field up to its NUL.
func DecodeUtsname(b []byte) Utsname {
	var f [6]string
	for i := range f {
		field := b[(NewUtsLen+1)*i : (NewUtsLen+1)*(i+1)]
		n := 0
		for n < len(field) && field[n] != 0 {
			n++
		}
		f[i] = string(field[:n])
	}
	return Utsname{f[0], f[1], f[2], f[3], f[4], f[5]}
}

// Sysinfo is struct sysinfo on x86_64:
//
//	0 uptime i64     32 totalram    64 totalswap   80 procs u16
//	8 loads[3] u64   40 freeram     72 freeswap    88 totalhigh
//	                 48 sharedram                  96 freehigh
//	                 56 bufferram                 104 mem_unit u32
type Sysinfo struct {
	Uptime    int64
	Loads     [3]uint64
	Totalram  uint64
	Freeram   uint64
	Sharedram uint64
	Bufferram uint64
	Totalswap uint64
	Freeswap  uint64
	Procs     uint16
	Totalhigh uint64
	Freehigh  uint64
	MemUnit   uint32
}

// SizeofSysinfo is sizeof(struct sysinfo) on x86_64.
const SizeofSysinfo = 112

// Encode writes s into b[:112].
func (s *Sysinfo) Encode(b []byte) {
	b = b[:SizeofSysinfo]
	clear(b)
	le.PutUint64(b[0:], uint64(s.Uptime))
	for i, l := range s.Loads {
		le.PutUint64(b[8+8*i:], l)
	}
	le.PutUint64(b[32:], s.Totalram)
	le.PutUint64(b[40:], s.Freeram)
	le.PutUint64(b[48:], s.Sharedram)
	le.PutUint64(b[56:], s.Bufferram)
	le.PutUint64(b[64:], s.Totalswap)
	le.PutUint64(b[72:], s.Freeswap)
	le.PutUint16(b[80:], s.Procs)
	le.PutUint64(b[88:], s.Totalhigh)
	le.PutUint64(b[96:], s.Freehigh)
	le.PutUint32(b[104:], s.MemUnit)
}

// Rusage is struct rusage: two timevals then fourteen longs.
type Rusage struct {
	Utime, Stime Timeval
	Maxrss       int64
	Ixrss        int64
	Idrss        int64
	Isrss        int64
	Minflt       int64
	Majflt       int64
	Nswap        int64
	Inblock      int64
	Oublock      int64
	Msgsnd       int64
	Msgrcv       int64
	Nsignals     int64
	Nvcsw        int64
	Nivcsw       int64
}

// SizeofRusage is sizeof(struct rusage).
const SizeofRusage = 144

// Encode writes r into b[:144]: 0 ru_utime, 16 ru_stime, then ru_maxrss ...
// ru_nivcsw as i64 at 32, 40, ..., 136.
func (r *Rusage) Encode(b []byte) {
	b = b[:SizeofRusage]
	r.Utime.Encode(b[0:])
	r.Stime.Encode(b[16:])
	for i, v := range [14]int64{r.Maxrss, r.Ixrss, r.Idrss, r.Isrss, r.Minflt, r.Majflt, r.Nswap,
		r.Inblock, r.Oublock, r.Msgsnd, r.Msgrcv, r.Nsignals, r.Nvcsw, r.Nivcsw} {
		le.PutUint64(b[32+8*i:], uint64(v))
	}
}

// Auxiliary vector types (include/uapi/linux/auxvec.h, asm/auxvec.h).
const (
	AT_NULL          = 0
	AT_IGNORE        = 1
	AT_EXECFD        = 2
	AT_PHDR          = 3
	AT_PHENT         = 4
	AT_PHNUM         = 5
	AT_PAGESZ        = 6
	AT_BASE          = 7
	AT_FLAGS         = 8
	AT_ENTRY         = 9
	AT_NOTELF        = 10
	AT_UID           = 11
	AT_EUID          = 12
	AT_GID           = 13
	AT_EGID          = 14
	AT_PLATFORM      = 15
	AT_HWCAP         = 16
	AT_CLKTCK        = 17
	AT_SECURE        = 23
	AT_BASE_PLATFORM = 24
	AT_RANDOM        = 25
	AT_HWCAP2        = 26
	AT_EXECFN        = 31
	AT_SYSINFO_EHDR  = 33
	AT_MINSIGSTKSZ   = 51
)

// ClockTick is USER_HZ, the unit of times(2), /proc stat times and
// AT_CLKTCK.
const ClockTick = 100

// NGROUPS_MAX is the most supplementary groups a process may have
// (include/uapi/linux/limits.h).
const NGROUPS_MAX = 65536

// clone flags (include/uapi/linux/sched.h).
const (
	CSIGNAL              = 0x000000ff
	CLONE_VM             = 0x00000100
	CLONE_FS             = 0x00000200
	CLONE_FILES          = 0x00000400
	CLONE_SIGHAND        = 0x00000800
	CLONE_PIDFD          = 0x00001000
	CLONE_PTRACE         = 0x00002000
	CLONE_VFORK          = 0x00004000
	CLONE_PARENT         = 0x00008000
	CLONE_THREAD         = 0x00010000
	CLONE_NEWNS          = 0x00020000
	CLONE_SYSVSEM        = 0x00040000
	CLONE_SETTLS         = 0x00080000
	CLONE_PARENT_SETTID  = 0x00100000
	CLONE_CHILD_CLEARTID = 0x00200000
	CLONE_DETACHED       = 0x00400000
	CLONE_UNTRACED       = 0x00800000
	CLONE_CHILD_SETTID   = 0x01000000
	CLONE_NEWCGROUP      = 0x02000000
	CLONE_NEWUTS         = 0x04000000
	CLONE_NEWIPC         = 0x08000000
	CLONE_NEWUSER        = 0x10000000
	CLONE_NEWPID         = 0x20000000
	CLONE_NEWNET         = 0x40000000
	CLONE_IO             = 0x80000000
)

// wait4 and waitid options.
const (
	WNOHANG    = 0x1
	WUNTRACED  = 0x2
	WSTOPPED   = 0x2
	WEXITED    = 0x4
	WCONTINUED = 0x8
	WNOWAIT    = 0x01000000
	WNOTHREAD  = 0x20000000
	WALL       = 0x40000000
	WCLONE     = 0x80000000
)

// waitid id types.
const (
	P_ALL   = 0
	P_PID   = 1
	P_PGID  = 2
	P_PIDFD = 3
)

// arch_prctl codes (arch/x86/include/uapi/asm/prctl.h).
const (
	ARCH_SET_GS    = 0x1001
	ARCH_SET_FS    = 0x1002
	ARCH_GET_FS    = 0x1003
	ARCH_GET_GS    = 0x1004
	ARCH_GET_CPUID = 0x1011
	ARCH_SET_CPUID = 0x1012
)

// prctl options paddock handles (include/uapi/linux/prctl.h).
const (
	PR_SET_PDEATHSIG       = 1
	PR_GET_PDEATHSIG       = 2
	PR_GET_DUMPABLE        = 3
	PR_SET_DUMPABLE        = 4
	PR_GET_KEEPCAPS        = 7
	PR_SET_KEEPCAPS        = 8
	PR_SET_NAME            = 15
	PR_GET_NAME            = 16
	PR_GET_SECCOMP         = 21
	PR_CAPBSET_READ        = 23
	PR_GET_TIMERSLACK      = 30
	PR_SET_TIMERSLACK      = 29
	PR_SET_CHILD_SUBREAPER = 36
	PR_GET_CHILD_SUBREAPER = 37
	PR_SET_NO_NEW_PRIVS    = 38
	PR_GET_NO_NEW_PRIVS    = 39
	PR_GET_TID_ADDRESS     = 40
	PR_SET_THP_DISABLE     = 41
	PR_GET_THP_DISABLE     = 42
	PR_SET_VMA             = 0x53564d41
)

// getrandom flags.
const (
	GRND_NONBLOCK = 1
	GRND_RANDOM   = 2
	GRND_INSECURE = 4
)

// Iovec is struct iovec: 0 iov_base u64, 8 iov_len u64.
type Iovec struct {
	Base uint64
	Len  uint64
}

// SizeofIovec is sizeof(struct iovec).
const SizeofIovec = 16

// DecodeIovec reads a struct iovec from b[:16].
func DecodeIovec(b []byte) Iovec {
	return Iovec{Base: le.Uint64(b[0:]), Len: le.Uint64(b[8:])}
}

// IOV_MAX is UIO_MAXIOV, the most iovecs one call takes.
const IOV_MAX = 1024

// MAX_RW_COUNT caps one read or write: INT_MAX rounded down to a page
// (include/linux/fs.h).
const MAX_RW_COUNT = 0x7ffff000

// rseq ABI (include/uapi/linux/rseq.h).
const (
	RSEQ_FLAG_UNREGISTER = 1
	// RseqOrigSize is ORIG_RSEQ_SIZE, the smallest struct rseq.
	RseqOrigSize = 32
	// Offsets in struct rseq: 0 cpu_id_start u32, 4 cpu_id u32,
	// 8 rseq_cs u64, 16 flags u32, 20 node_id u32, 24 mm_cid u32.
	RseqCPUIDStart = 0
	RseqCPUID      = 4
	RseqCS         = 8
	RseqNodeID     = 20
	RseqMMCID      = 24
	// RSEQ_CPU_ID_UNINITIALIZED is what cpu_id holds when unregistered.
	RseqCPUIDUninitialized = ^uint32(0)
)

// futex operations and flags (include/uapi/linux/futex.h).
const (
	FUTEX_WAIT             = 0
	FUTEX_WAKE             = 1
	FUTEX_FD               = 2
	FUTEX_REQUEUE          = 3
	FUTEX_CMP_REQUEUE      = 4
	FUTEX_WAKE_OP          = 5
	FUTEX_LOCK_PI          = 6
	FUTEX_UNLOCK_PI        = 7
	FUTEX_TRYLOCK_PI       = 8
	FUTEX_WAIT_BITSET      = 9
	FUTEX_WAKE_BITSET      = 10
	FUTEX_PRIVATE_FLAG     = 128
	FUTEX_CLOCK_REALTIME   = 256
	FUTEX_CMD_MASK         = ^(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
	FUTEX_BITSET_MATCH_ANY = 0xffffffff

	FUTEX_WAITERS    = 0x80000000
	FUTEX_OWNER_DIED = 0x40000000
	FUTEX_TID_MASK   = 0x3fffffff

	// ROBUST_LIST_LIMIT bounds the robust list walk at thread exit.
	ROBUST_LIST_LIMIT = 2048
)

// FUTEX_WAKE_OP's operations and comparisons (include/uapi/linux/futex.h).
const (
	FUTEX_OP_SET  = 0
	FUTEX_OP_ADD  = 1
	FUTEX_OP_OR   = 2
	FUTEX_OP_ANDN = 3
	FUTEX_OP_XOR  = 4

	FUTEX_OP_CMP_EQ = 0
	FUTEX_OP_CMP_NE = 1
	FUTEX_OP_CMP_LT = 2
	FUTEX_OP_CMP_LE = 3
	FUTEX_OP_CMP_GT = 4
	FUTEX_OP_CMP_GE = 5
)

// getpriority and setpriority targets.
const (
	PRIO_PROCESS = 0
	PRIO_PGRP    = 1
	PRIO_USER    = 2
)

// Scheduling policies (include/uapi/linux/sched.h).
const (
	SCHED_OTHER         = 0
	SCHED_FIFO          = 1
	SCHED_RR            = 2
	SCHED_BATCH         = 3
	SCHED_IDLE          = 5
	SCHED_DEADLINE      = 6
	SCHED_RESET_ON_FORK = 0x40000000
)

// Process flags /proc/PID/stat shows (include/linux/sched.h).
const (
	PF_FORKNOEXEC = 0x00000040 // forked but did not exec
)

// CapAll is the capability set of root: every capability up to
// CAP_CHECKPOINT_RESTORE (40), as /proc/PID/status prints CapPrm.
const CapAll = 1<<41 - 1

// CloneArgs is struct clone_args, clone3's argument
// (include/uapi/linux/sched.h): eleven 64-bit fields, of which a caller
// may pass the first eight (version 0), ten or all.
type CloneArgs struct {
	Flags, Pidfd, ChildTID, ParentTID, ExitSignal, Stack, StackSize, TLS uint64
	SetTID, SetTIDSize, Cgroup                                           uint64
}

// Sizes of struct clone_args: CLONE_ARGS_SIZE_VER0 (without set_tid),
// VER1 (without cgroup) and VER2, the whole struct.
const (
	SizeofCloneArgsVer0 = 64
	SizeofCloneArgsVer1 = 80
	SizeofCloneArgsVer2 = 88
)

// DecodeCloneArgs reads a struct clone_args from b, which holds at least
// its first SizeofCloneArgsVer0 bytes; the fields b does not reach are
// zero, as copy_struct_from_user leaves them.
func DecodeCloneArgs(b []byte) CloneArgs {
	var f [11]uint64
	for i := range f {
		if len(b) >= 8*i+8 {
			f[i] = le.Uint64(b[8*i:])
		}
	}
	return CloneArgs{Flags: f[0], Pidfd: f[1], ChildTID: f[2], ParentTID: f[3], ExitSignal: f[4], Stack: f[5],
		StackSize: f[6], TLS: f[7], SetTID: f[8], SetTIDSize: f[9], Cgroup: f[10]}
}
