package trace

import (
	"strconv"
	"strings"

	"paddock/abi"
)

// classNames maps strace's class names, with and without the "%", to
// their bits.
var classNames = map[string]abi.SyscallClass{
	"file": abi.ClassFile, "process": abi.ClassProcess, "network": abi.ClassNetwork, "net": abi.ClassNetwork,
	"signal": abi.ClassSignal, "ipc": abi.ClassIPC, "desc": abi.ClassDesc, "memory": abi.ClassMemory,
	"stat": abi.ClassStat, "lstat": abi.ClassLstat, "fstat": abi.ClassFstat, "%stat": abi.ClassStatLike,
	"statfs": abi.ClassStatfs, "fstatfs": abi.ClassFstatfs, "%statfs": abi.ClassStatfsLike,
	"pure": abi.ClassPure, "creds": abi.ClassCreds, "clock": abi.ClassClock,
}

// spec is how the tracer prints one syscall: a decoder for each argument
// and the kind of its result, from the call's description in the
// kernel's table.
type spec struct {
	args []arg
	ret  abi.RetKind
}

// specOf builds the spec of a description.
func specOf(d abi.SyscallDesc) spec {
	sp := spec{ret: d.Ret, args: make([]arg, len(d.Args))}
	for i, k := range d.Args {
		sp.args[i] = decoders[k]
	}
	return sp
}

// decoders print each kind of argument (a test checks that every kind
// has one).
var decoders = [abi.NumArgKinds]arg{
	abi.ArgInt:              aInt,
	abi.ArgLong:             aLong,
	abi.ArgUint:             aSize,
	abi.ArgHex:              aHex,
	abi.ArgPtr:              aPtr,
	abi.ArgOutPtr:           aOutP,
	abi.ArgFD:               aFd,
	abi.ArgDirFD:            aDirfd,
	abi.ArgPath:             aPath,
	abi.ArgMode:             aMode,
	abi.ArgFileMode:         in(func(c *call, i int) string { return fileMode(uint32(c.args[i])) }),
	abi.ArgUmask:            aUmask,
	abi.ArgSignal:           aSig,
	abi.ArgAccessMode:       aAccess,
	abi.ArgArgv:             aArgv,
	abi.ArgEnvp:             aEnvp,
	abi.ArgAtFlags:          aFlags(atFlags),
	abi.ArgBufIn:            aBufIn,
	abi.ArgBufOut:           aBufOut(false),
	abi.ArgBufOutHex:        aBufOut(true),
	abi.ArgIovecIn:          aIovIn,
	abi.ArgIovecOut:         aIovOut,
	abi.ArgClockID:          aEnum(clocks, "CLOCK_???"),
	abi.ArgCloneFlags:       aClone,
	abi.ArgPrioWhich:        aEnum([]flagName{{0, "PRIO_PROCESS"}, {1, "PRIO_PGRP"}, {2, "PRIO_USER"}}, "PRIO_???"),
	abi.ArgRusageWho:        aEnum([]flagName{{0, "RUSAGE_SELF"}, {^uint64(0), "RUSAGE_CHILDREN"}, {1, "RUSAGE_THREAD"}}, "RUSAGE_???"),
	abi.ArgArchPrctlCode:    aEnum(archPrctls, "ARCH_???"),
	abi.ArgEpollCtlOp:       aEnum(epollCtls, "EPOLL_CTL_???"),
	abi.ArgFcntlCmd:         aEnum(fcntlCmds, "F_???"),
	abi.ArgFcntlArg:         aFcntlArg,
	abi.ArgIDType:           aEnum(idTypes, "P_???"),
	abi.ArgIoctlRequest:     aEnum(ioctls, "_IOC_???"),
	abi.ArgIoctlArg:         aIoctlArg,
	abi.ArgItimerWhich:      aEnum(itimers, "ITIMER_???"),
	abi.ArgMadviseAdvice:    aEnum(madvise, "MADV_???"),
	abi.ArgPrctlOption:      aEnum(prctls, "PR_???"),
	abi.ArgSigprocmaskHow:   aEnum(sigHow, "SIG_???"),
	abi.ArgMlockallFlags:    aFlags([]flagName{{1, "MCL_CURRENT"}, {2, "MCL_FUTURE"}, {4, "MCL_ONFAULT"}}),
	abi.ArgCloseRangeFlags:  aFlags([]flagName{{abi.CLOSE_RANGE_UNSHARE, "CLOSE_RANGE_UNSHARE"}, {abi.CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC"}}),
	abi.ArgEpollCreateFlags: aFlags([]flagName{{abi.EPOLL_CLOEXEC, "EPOLL_CLOEXEC"}}),
	abi.ArgStatxFlags:       aFlags(atStatx),
	abi.ArgStatxMask:        aFlags(statxMask),
	abi.ArgEventfdFlags:     aFlags(efdFlags),
	abi.ArgGetrandomFlags:   aFlags(grndFlags),
	abi.ArgFlockOp:          aFlags(lockOps),
	abi.ArgProt:             aFlagsOr(protFlags, "PROT_NONE"),
	abi.ArgMmapFlags:        aFlags(mapFlags),
	abi.ArgMremapFlags:      aFlags(mremapFlags),
	abi.ArgMsyncFlags:       aFlags(msyncFlags),
	abi.ArgFileFlags:        aFlags(openFlags),
	abi.ArgOpenFlags:        aOpenFlags,
	abi.ArgOpenMode:         aOpenMode,
	abi.ArgRenameFlags:      aFlags(renameFlags),
	abi.ArgSignalfdFlags:    aFlags(sfdFlags),
	abi.ArgTimerfdFlags:     aFlags(tfdFlags),
	abi.ArgTimerFlags:       aFlags(timerFlags),
	abi.ArgWaitOptions:      aFlags(waitFlags),
	abi.ArgFutexOp:          aFutexOp,
	abi.ArgIntOut:           aIntOut,
	abi.ArgPipeFDs:          aPipe,
	abi.ArgPollFDs:          aPollIn,
	abi.ArgRlimitResource:   aEnum(rlimits, "RLIMIT_???"),
	abi.ArgRlimitIn:         inPtr(rlimit("RLIM_INFINITY")),
	abi.ArgRlimitOut:        outOr(rlimit("RLIM_INFINITY")),
	abi.ArgRlimit64In:       inPtr(rlimit("RLIM64_INFINITY")),
	abi.ArgRlimit64Out:      outOr(rlimit("RLIM64_INFINITY")),
	abi.ArgSigsetIn:         aSigsetIn,
	abi.ArgSigsetOut:        aSigsetOut,
	abi.ArgSigactionIn:      inPtr(sigaction),
	abi.ArgSigactionOut:     outOr(sigaction),
	abi.ArgStatOut:          aStat,
	abi.ArgStatxOut:         aStatx,
	abi.ArgTimespecIn:       aTimespecIn,
	abi.ArgTimespecOut:      aTimespecOut,
	abi.ArgTimevalIn:        aTimevalIn,
	abi.ArgTimevalOut:       aTimevalOut,
	abi.ArgWaitStatusOut:    aWaitStatus,
	abi.ArgWhence:           aEnum(whence, "SEEK_???"),
	abi.ArgDirentsOut: out(func(c *call, i int) string {
		return ptr(c.args[i]) + " /* " + udec(c.ret) + " bytes */"
	}),
	abi.ArgCwdOut:        outOr(func(c *call, v uint64) string { return c.str(v, 4096) }),
	abi.ArgUtsnameOut:    outOr(utsname),
	abi.ArgAddressFamily: aAddressFamily,
	abi.ArgSocketType:    aSocketType,
	abi.ArgSockaddrIn:    aSockaddrIn,
	abi.ArgSockaddrOut:   aSockaddrOut,
	abi.ArgSocklenOut:    aSocklenOut,
	abi.ArgMsgFlags:      aMsgFlags,
	abi.ArgShutdownHow:   aShutdownHow,
	abi.ArgSockoptLevel:  aSockoptLevel,
	abi.ArgSockoptName:   aSockoptName,
	abi.ArgSockoptIn:     aSockoptIn,
	abi.ArgSockoptOut:    aSockoptOut,
	abi.ArgMsghdrIn:      aMsghdrIn,
	abi.ArgMsghdrOut:     aMsghdrOut,
	abi.ArgMmsghdrIn:     aMmsghdrIn,
	abi.ArgMmsghdrOut:    aMmsghdrOut,
}

// Flag and value names, as strace prints them.
var (
	// openFlags is in strace's order, which is not the bits' order;
	// O_TMPFILE comes before O_DIRECTORY, whose bit it includes.
	openFlags = []flagName{
		{abi.O_CREAT, "O_CREAT"}, {abi.O_EXCL, "O_EXCL"}, {abi.O_NOCTTY, "O_NOCTTY"}, {abi.O_TRUNC, "O_TRUNC"},
		{abi.O_APPEND, "O_APPEND"}, {abi.O_NONBLOCK, "O_NONBLOCK"}, {abi.O_SYNC, "O_SYNC"}, {abi.O_DSYNC, "O_DSYNC"},
		{abi.O_DIRECT, "O_DIRECT"}, {abi.O_LARGEFILE, "O_LARGEFILE"}, {abi.O_NOFOLLOW, "O_NOFOLLOW"},
		{abi.O_NOATIME, "O_NOATIME"}, {abi.O_CLOEXEC, "O_CLOEXEC"}, {abi.O_PATH, "O_PATH"}, {abi.O_TMPFILE, "O_TMPFILE"},
		{abi.O_DIRECTORY, "O_DIRECTORY"}, {abi.O_ASYNC, "FASYNC"},
	}
	atFlags = []flagName{
		{abi.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"}, {abi.AT_REMOVEDIR, "AT_REMOVEDIR"},
		{abi.AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"}, {abi.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
		{abi.AT_EMPTY_PATH, "AT_EMPTY_PATH"}, {abi.AT_RECURSIVE, "AT_RECURSIVE"},
	}
	accessFlags = []flagName{{abi.R_OK, "R_OK"}, {abi.W_OK, "W_OK"}, {abi.X_OK, "X_OK"}}
	protFlags   = []flagName{{abi.PROT_READ, "PROT_READ"}, {abi.PROT_WRITE, "PROT_WRITE"}, {abi.PROT_EXEC, "PROT_EXEC"},
		{abi.PROT_GROWSDOWN, "PROT_GROWSDOWN"}, {abi.PROT_GROWSUP, "PROT_GROWSUP"}}
	mapFlags = []flagName{
		{abi.MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"}, {abi.MAP_SHARED, "MAP_SHARED"}, {abi.MAP_PRIVATE, "MAP_PRIVATE"},
		{abi.MAP_FIXED, "MAP_FIXED"}, {abi.MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {abi.MAP_32BIT, "MAP_32BIT"},
		{abi.MAP_GROWSDOWN, "MAP_GROWSDOWN"}, {abi.MAP_DENYWRITE, "MAP_DENYWRITE"},
		{abi.MAP_EXECUTABLE, "MAP_EXECUTABLE"}, {abi.MAP_LOCKED, "MAP_LOCKED"}, {abi.MAP_NORESERVE, "MAP_NORESERVE"},
		{abi.MAP_POPULATE, "MAP_POPULATE"}, {abi.MAP_NONBLOCK, "MAP_NONBLOCK"}, {abi.MAP_STACK, "MAP_STACK"},
		{abi.MAP_HUGETLB, "MAP_HUGETLB"}, {abi.MAP_SYNC, "MAP_SYNC"}, {abi.MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
	}
	mremapFlags = []flagName{{abi.MREMAP_MAYMOVE, "MREMAP_MAYMOVE"}, {abi.MREMAP_FIXED, "MREMAP_FIXED"}, {abi.MREMAP_DONTUNMAP, "MREMAP_DONTUNMAP"}}
	madvise     = []flagName{{abi.MADV_NORMAL, "MADV_NORMAL"}, {abi.MADV_RANDOM, "MADV_RANDOM"}, {abi.MADV_SEQUENTIAL, "MADV_SEQUENTIAL"},
		{abi.MADV_WILLNEED, "MADV_WILLNEED"}, {abi.MADV_DONTNEED, "MADV_DONTNEED"}, {abi.MADV_FREE, "MADV_FREE"},
		{abi.MADV_REMOVE, "MADV_REMOVE"}, {abi.MADV_DONTFORK, "MADV_DONTFORK"}, {abi.MADV_DOFORK, "MADV_DOFORK"},
		{abi.MADV_MERGEABLE, "MADV_MERGEABLE"}, {abi.MADV_HUGEPAGE, "MADV_HUGEPAGE"}, {abi.MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE"},
		{abi.MADV_DONTDUMP, "MADV_DONTDUMP"}, {abi.MADV_DODUMP, "MADV_DODUMP"}}
	msyncFlags = []flagName{{abi.MS_ASYNC, "MS_ASYNC"}, {abi.MS_INVALIDATE, "MS_INVALIDATE"}, {abi.MS_SYNC, "MS_SYNC"}}
	whence     = []flagName{{abi.SEEK_SET, "SEEK_SET"}, {abi.SEEK_CUR, "SEEK_CUR"}, {abi.SEEK_END, "SEEK_END"},
		{abi.SEEK_DATA, "SEEK_DATA"}, {abi.SEEK_HOLE, "SEEK_HOLE"}}
	sigHow  = []flagName{{abi.SIG_BLOCK, "SIG_BLOCK"}, {abi.SIG_UNBLOCK, "SIG_UNBLOCK"}, {abi.SIG_SETMASK, "SIG_SETMASK"}}
	clocks  = []flagName{{abi.CLOCK_REALTIME, "CLOCK_REALTIME"}, {abi.CLOCK_MONOTONIC, "CLOCK_MONOTONIC"}, {abi.CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"}, {abi.CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"}, {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"}, {8, "CLOCK_REALTIME_ALARM"}, {9, "CLOCK_BOOTTIME_ALARM"}, {11, "CLOCK_TAI"}}
	rlimits = []flagName{{abi.RLIMIT_CPU, "RLIMIT_CPU"}, {abi.RLIMIT_FSIZE, "RLIMIT_FSIZE"}, {abi.RLIMIT_DATA, "RLIMIT_DATA"},
		{abi.RLIMIT_STACK, "RLIMIT_STACK"}, {abi.RLIMIT_CORE, "RLIMIT_CORE"}, {abi.RLIMIT_RSS, "RLIMIT_RSS"},
		{abi.RLIMIT_NPROC, "RLIMIT_NPROC"}, {abi.RLIMIT_NOFILE, "RLIMIT_NOFILE"}, {abi.RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
		{abi.RLIMIT_AS, "RLIMIT_AS"}, {abi.RLIMIT_LOCKS, "RLIMIT_LOCKS"}, {abi.RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
		{abi.RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"}, {abi.RLIMIT_NICE, "RLIMIT_NICE"}, {abi.RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
		{abi.RLIMIT_RTTIME, "RLIMIT_RTTIME"}}
	fcntlCmds = []flagName{{abi.F_DUPFD, "F_DUPFD"}, {abi.F_GETFD, "F_GETFD"}, {abi.F_SETFD, "F_SETFD"}, {abi.F_GETFL, "F_GETFL"},
		{abi.F_SETFL, "F_SETFL"}, {abi.F_GETLK, "F_GETLK"}, {abi.F_SETLK, "F_SETLK"}, {abi.F_SETLKW, "F_SETLKW"},
		{abi.F_SETOWN, "F_SETOWN"}, {abi.F_GETOWN, "F_GETOWN"}, {abi.F_SETSIG, "F_SETSIG"}, {abi.F_GETSIG, "F_GETSIG"},
		{abi.F_SETOWN_EX, "F_SETOWN_EX"}, {abi.F_GETOWN_EX, "F_GETOWN_EX"}, {abi.F_OFD_GETLK, "F_OFD_GETLK"},
		{abi.F_OFD_SETLK, "F_OFD_SETLK"}, {abi.F_OFD_SETLKW, "F_OFD_SETLKW"}, {abi.F_SETLEASE, "F_SETLEASE"},
		{abi.F_GETLEASE, "F_GETLEASE"}, {abi.F_NOTIFY, "F_NOTIFY"}, {abi.F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"},
		{abi.F_SETPIPE_SZ, "F_SETPIPE_SZ"}, {abi.F_GETPIPE_SZ, "F_GETPIPE_SZ"}, {abi.F_ADD_SEALS, "F_ADD_SEALS"},
		{abi.F_GET_SEALS, "F_GET_SEALS"}}
	lockOps   = []flagName{{abi.LOCK_SH, "LOCK_SH"}, {abi.LOCK_EX, "LOCK_EX"}, {abi.LOCK_NB, "LOCK_NB"}, {abi.LOCK_UN, "LOCK_UN"}}
	lockTypes = []flagName{{abi.F_RDLCK, "F_RDLCK"}, {abi.F_WRLCK, "F_WRLCK"}, {abi.F_UNLCK, "F_UNLCK"}}
	// strace names 0x5402 and 0x5403 by every request that shares the
	// number.
	ioctls = []flagName{{abi.TCGETS, "TCGETS"}, {abi.TCSETS, "SNDCTL_TMR_START or TCSETS"}, {abi.TCSETSW, "SNDCTL_TMR_STOP or TCSETSW"}, {abi.TCSETSF, "SNDCTL_TMR_CONTINUE or TCSETSF"},
		{abi.TIOCEXCL, "TIOCEXCL"}, {abi.TIOCNXCL, "TIOCNXCL"}, {abi.TIOCSCTTY, "TIOCSCTTY"}, {abi.TIOCGPGRP, "TIOCGPGRP"},
		{abi.TIOCSPGRP, "TIOCSPGRP"}, {abi.TIOCOUTQ, "TIOCOUTQ"}, {abi.TIOCSTI, "TIOCSTI"}, {abi.TIOCGWINSZ, "TIOCGWINSZ"},
		{abi.TIOCSWINSZ, "TIOCSWINSZ"}, {abi.FIONREAD, "FIONREAD"}, {abi.TIOCNOTTY, "TIOCNOTTY"}, {abi.TIOCGSID, "TIOCGSID"},
		{abi.TIOCGPTN, "TIOCGPTN"}, {abi.TIOCSPTLCK, "TIOCSPTLCK"}, {abi.FIONCLEX, "FIONCLEX"}, {abi.FIOCLEX, "FIOCLEX"},
		{abi.FIONBIO, "FIONBIO"}, {abi.FIOASYNC, "FIOASYNC"}}
	cloneFlags = []flagName{{abi.CLONE_VM, "CLONE_VM"}, {abi.CLONE_FS, "CLONE_FS"}, {abi.CLONE_FILES, "CLONE_FILES"},
		{abi.CLONE_SIGHAND, "CLONE_SIGHAND"}, {abi.CLONE_PIDFD, "CLONE_PIDFD"}, {abi.CLONE_PTRACE, "CLONE_PTRACE"},
		{abi.CLONE_VFORK, "CLONE_VFORK"}, {abi.CLONE_PARENT, "CLONE_PARENT"}, {abi.CLONE_THREAD, "CLONE_THREAD"},
		{abi.CLONE_NEWNS, "CLONE_NEWNS"}, {abi.CLONE_SYSVSEM, "CLONE_SYSVSEM"}, {abi.CLONE_SETTLS, "CLONE_SETTLS"},
		{abi.CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"}, {abi.CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
		{abi.CLONE_DETACHED, "CLONE_DETACHED"}, {abi.CLONE_UNTRACED, "CLONE_UNTRACED"},
		{abi.CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"}, {abi.CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
		{abi.CLONE_NEWUTS, "CLONE_NEWUTS"}, {abi.CLONE_NEWIPC, "CLONE_NEWIPC"}, {abi.CLONE_NEWUSER, "CLONE_NEWUSER"},
		{abi.CLONE_NEWPID, "CLONE_NEWPID"}, {abi.CLONE_NEWNET, "CLONE_NEWNET"}, {abi.CLONE_IO, "CLONE_IO"}}
	waitFlags = []flagName{{abi.WNOHANG, "WNOHANG"}, {abi.WUNTRACED, "WSTOPPED"}, {abi.WEXITED, "WEXITED"},
		{abi.WCONTINUED, "WCONTINUED"}, {abi.WNOWAIT, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"}, {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"}}
	idTypes    = []flagName{{abi.P_ALL, "P_ALL"}, {abi.P_PID, "P_PID"}, {abi.P_PGID, "P_PGID"}, {abi.P_PIDFD, "P_PIDFD"}}
	archPrctls = []flagName{{abi.ARCH_SET_GS, "ARCH_SET_GS"}, {abi.ARCH_SET_FS, "ARCH_SET_FS"}, {abi.ARCH_GET_FS, "ARCH_GET_FS"},
		{abi.ARCH_GET_GS, "ARCH_GET_GS"}, {abi.ARCH_GET_CPUID, "ARCH_GET_CPUID"}, {abi.ARCH_SET_CPUID, "ARCH_SET_CPUID"}}
	prctls = []flagName{{abi.PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"}, {abi.PR_GET_PDEATHSIG, "PR_GET_PDEATHSIG"},
		{abi.PR_GET_DUMPABLE, "PR_GET_DUMPABLE"}, {abi.PR_SET_DUMPABLE, "PR_SET_DUMPABLE"}, {abi.PR_GET_KEEPCAPS, "PR_GET_KEEPCAPS"},
		{abi.PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS"}, {abi.PR_SET_NAME, "PR_SET_NAME"}, {abi.PR_GET_NAME, "PR_GET_NAME"},
		{abi.PR_GET_SECCOMP, "PR_GET_SECCOMP"}, {abi.PR_CAPBSET_READ, "PR_CAPBSET_READ"},
		{abi.PR_GET_TIMERSLACK, "PR_GET_TIMERSLACK"}, {abi.PR_SET_TIMERSLACK, "PR_SET_TIMERSLACK"},
		{abi.PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER"}, {abi.PR_GET_CHILD_SUBREAPER, "PR_GET_CHILD_SUBREAPER"}}
	futexOps = []flagName{{abi.FUTEX_WAIT, "FUTEX_WAIT"}, {abi.FUTEX_WAKE, "FUTEX_WAKE"}, {abi.FUTEX_FD, "FUTEX_FD"},
		{abi.FUTEX_REQUEUE, "FUTEX_REQUEUE"}, {abi.FUTEX_CMP_REQUEUE, "FUTEX_CMP_REQUEUE"}, {abi.FUTEX_WAKE_OP, "FUTEX_WAKE_OP"},
		{abi.FUTEX_LOCK_PI, "FUTEX_LOCK_PI"}, {abi.FUTEX_UNLOCK_PI, "FUTEX_UNLOCK_PI"}, {abi.FUTEX_TRYLOCK_PI, "FUTEX_TRYLOCK_PI"},
		{abi.FUTEX_WAIT_BITSET, "FUTEX_WAIT_BITSET"}, {abi.FUTEX_WAKE_BITSET, "FUTEX_WAKE_BITSET"}}
	renameFlags = []flagName{{abi.RENAME_NOREPLACE, "RENAME_NOREPLACE"}, {abi.RENAME_EXCHANGE, "RENAME_EXCHANGE"}, {abi.RENAME_WHITEOUT, "RENAME_WHITEOUT"}}
	efdFlags    = []flagName{{abi.EFD_SEMAPHORE, "EFD_SEMAPHORE"}, {abi.EFD_NONBLOCK, "EFD_NONBLOCK"}, {abi.EFD_CLOEXEC, "EFD_CLOEXEC"}}
	sfdFlags    = []flagName{{abi.O_NONBLOCK, "SFD_NONBLOCK"}, {abi.O_CLOEXEC, "SFD_CLOEXEC"}}
	tfdFlags    = []flagName{{abi.O_NONBLOCK, "TFD_NONBLOCK"}, {abi.O_CLOEXEC, "TFD_CLOEXEC"}}
	epollCtls   = []flagName{{abi.EPOLL_CTL_ADD, "EPOLL_CTL_ADD"}, {abi.EPOLL_CTL_DEL, "EPOLL_CTL_DEL"}, {abi.EPOLL_CTL_MOD, "EPOLL_CTL_MOD"}}
	grndFlags   = []flagName{{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}}
	itimers     = []flagName{{0, "ITIMER_REAL"}, {1, "ITIMER_VIRTUAL"}, {2, "ITIMER_PROF"}}
	timerFlags  = []flagName{{1, "TIMER_ABSTIME"}}
	atStatx     = []flagName{{abi.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"}, {abi.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
		{abi.AT_EMPTY_PATH, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"}, {0x4000, "AT_STATX_DONT_SYNC"}}
)

// Decoders particular to a few calls.
var (
	// aOpenFlags prints open's flags: the access mode by name, then the
	// rest.
	aOpenFlags = in(func(c *call, i int) string {
		v := c.args[i]
		acc := "O_RDONLY"
		switch v & abi.O_ACCMODE {
		case abi.O_WRONLY:
			acc = "O_WRONLY"
		case abi.O_RDWR:
			acc = "O_RDWR"
		case 3:
			acc = "O_ACCMODE"
		}
		if rest := v &^ abi.O_ACCMODE; rest != 0 {
			return acc + "|" + flags(rest, openFlags)
		}
		return acc
	})
	// aOpenMode prints open's mode only when the flags (argument before
	// it) create a file, as strace does.
	aOpenMode = in(func(c *call, i int) string {
		fl := c.args[i-1]
		if fl&abi.O_CREAT == 0 && fl&abi.O_TMPFILE != abi.O_TMPFILE {
			return omit
		}
		return octal(uint64(uint32(c.args[i])))
	})
	aUmask = in(func(c *call, i int) string { return octal(c.args[i] & 0o777) })
	// aFcntlArg prints fcntl's third argument as its command has it.
	aFcntlArg = in(func(c *call, i int) string {
		switch c.args[1] {
		case abi.F_GETFD, abi.F_GETFL, abi.F_GETOWN, abi.F_GETSIG, abi.F_GETLEASE, abi.F_GETPIPE_SZ, abi.F_GET_SEALS:
			return omit
		case abi.F_SETFD:
			return flags(c.args[i], []flagName{{abi.FD_CLOEXEC, "FD_CLOEXEC"}})
		case abi.F_SETFL:
			return aOpenFlags.f(c, i)
		case abi.F_GETLK, abi.F_SETLK, abi.F_SETLKW, abi.F_OFD_GETLK, abi.F_OFD_SETLK, abi.F_OFD_SETLKW:
			return flock(c, c.args[i])
		}
		return udec(c.args[i])
	})
	// aIoctlArg prints ioctl's third argument: decoded for the terminal
	// requests strace decodes, an address otherwise.
	aIoctlArg = out(func(c *call, i int) string {
		v := c.args[i]
		switch c.args[1] {
		case abi.TIOCGWINSZ, abi.TIOCSWINSZ:
			if v == 0 || (c.failed() && c.args[1] == abi.TIOCGWINSZ) {
				return ptr(v)
			}
			return c.decodeAt(v, abi.SizeofWinsize, func(b []byte) string {
				w := abi.DecodeWinsize(b)
				u := func(x uint16) string { return strconv.Itoa(int(x)) }
				return "{ws_row=" + u(w.Row) + ", ws_col=" + u(w.Col) + ", ws_xpixel=" + u(w.Xpixel) + ", ws_ypixel=" + u(w.Ypixel) + "}"
			})
		case abi.TCGETS:
			if v == 0 || c.failed() {
				return ptr(v)
			}
			return termios(c, v)
		case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
			if v == 0 {
				return ptr(v)
			}
			return termios(c, v)
		case abi.FIOCLEX, abi.FIONCLEX, abi.TIOCNOTTY, abi.TIOCEXCL, abi.TIOCNXCL:
			return omit
		case abi.TIOCGPGRP, abi.TIOCSPGRP, abi.TIOCGSID, abi.FIONREAD, abi.TIOCOUTQ, abi.TIOCGPTN:
			if v == 0 || c.failed() {
				return ptr(v)
			}
			return intOut(c, v)
		}
		return ptr(v)
	})
	aPollIn  = inPtr(func(c *call, v uint64) string { return pollfds(c, v, c.args[1], false) })
	aFutexOp = in(func(c *call, i int) string {
		v := c.args[i]
		s := enum(v&^(abi.FUTEX_PRIVATE_FLAG|abi.FUTEX_CLOCK_REALTIME), futexOps, "FUTEX_???")
		if v&abi.FUTEX_PRIVATE_FLAG != 0 {
			s += "_PRIVATE"
		}
		if v&abi.FUTEX_CLOCK_REALTIME != 0 {
			s += "|FUTEX_CLOCK_REALTIME"
		}
		return s
	})
	aCloneFlags = in(func(c *call, i int) string {
		v := c.args[i]
		s := flags(v&^0xff, cloneFlags)
		if sig := v & 0xff; sig != 0 {
			if s == "0" {
				return sigName(sig)
			}
			s += "|" + sigName(sig)
		}
		return s
	})
)

// flock prints a struct flock.
func flock(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofFlock, func(b []byte) string {
		f := abi.DecodeFlock(b)
		return "{l_type=" + enum(uint64(f.Type), lockTypes, "F_???") + ", l_whence=" + enum(uint64(f.Whence), whence, "SEEK_???") +
			", l_start=" + strconv.FormatInt(f.Start, 10) + ", l_len=" + strconv.FormatInt(f.Len, 10) + "}"
	})
}

// aClone prints clone's arguments as strace does: named, the stack
// first, and the pointers only where the flags use them. The raw order
// on x86_64 is flags, stack, parent_tid, child_tid, tls.
var aClone = in(func(c *call, _ int) string {
	fl := c.args[0]
	s := "child_stack=" + ptr(c.args[1]) + ", flags=" + aCloneFlags.f(c, 0)
	if fl&abi.CLONE_PARENT_SETTID != 0 {
		s += ", parent_tid=" + ptr(c.args[2])
	}
	if fl&(abi.CLONE_CHILD_SETTID|abi.CLONE_CHILD_CLEARTID) != 0 {
		s += ", child_tidptr=" + ptr(c.args[3])
	}
	if fl&abi.CLONE_SETTLS != 0 {
		s += ", tls=" + ptr(c.args[4])
	}
	return s
})

// aAccess prints access's mode: F_OK, or R_OK|W_OK|X_OK.
var aAccess = in(func(c *call, i int) string {
	if c.args[i] == 0 {
		return "F_OK"
	}
	return flags(c.args[i], accessFlags)
})

// fcntlResult prints fcntl's result as strace does for the commands that
// return flags.
func fcntlResult(c *call) string {
	switch c.args[1] {
	case abi.F_GETFD:
		if c.ret == 0 {
			return "0"
		}
		return "0x" + strconv.FormatUint(c.ret, 16) + " (flags " + flags(c.ret, []flagName{{abi.FD_CLOEXEC, "FD_CLOEXEC"}}) + ")"
	case abi.F_GETFL:
		return "0x" + strconv.FormatUint(c.ret, 16) + " (flags " + aOpenFlags.f(&call{args: [6]uint64{c.ret}}, 0) + ")"
	case abi.F_DUPFD, abi.F_DUPFD_CLOEXEC:
		return c.fd(c.ret)
	}
	return dec(c.ret)
}

// Termios flags, in strace's order.
var (
	termIflags = []flagName{{abi.IGNBRK, "IGNBRK"}, {abi.BRKINT, "BRKINT"}, {abi.IGNPAR, "IGNPAR"}, {abi.PARMRK, "PARMRK"},
		{abi.INPCK, "INPCK"}, {abi.ISTRIP, "ISTRIP"}, {abi.INLCR, "INLCR"}, {abi.IGNCR, "IGNCR"}, {abi.ICRNL, "ICRNL"},
		{abi.IUCLC, "IUCLC"}, {abi.IXON, "IXON"}, {abi.IXANY, "IXANY"}, {abi.IXOFF, "IXOFF"}, {abi.IMAXBEL, "IMAXBEL"},
		{abi.IUTF8, "IUTF8"}}
	termOflags = []flagName{{abi.OPOST, "OPOST"}, {abi.OLCUC, "OLCUC"}, {abi.ONLCR, "ONLCR"}, {abi.OCRNL, "OCRNL"},
		{abi.ONOCR, "ONOCR"}, {abi.ONLRET, "ONLRET"}, {abi.OFILL, "OFILL"}, {abi.OFDEL, "OFDEL"}}
	termCflags = []flagName{{abi.CSTOPB, "CSTOPB"}, {abi.CREAD, "CREAD"}, {abi.PARENB, "PARENB"}, {abi.PARODD, "PARODD"},
		{abi.HUPCL, "HUPCL"}, {abi.CLOCAL, "CLOCAL"}, {abi.CRTSCTS, "CRTSCTS"}}
	termLflags = []flagName{{abi.ISIG, "ISIG"}, {abi.ICANON, "ICANON"}, {abi.XCASE, "XCASE"}, {abi.ECHO, "ECHO"},
		{abi.ECHOE, "ECHOE"}, {abi.ECHOK, "ECHOK"}, {abi.ECHONL, "ECHONL"}, {abi.NOFLSH, "NOFLSH"}, {abi.IEXTEN, "IEXTEN"},
		{abi.ECHOCTL, "ECHOCTL"}, {abi.ECHOPRT, "ECHOPRT"}, {abi.ECHOKE, "ECHOKE"}, {abi.FLUSHO, "FLUSHO"},
		{abi.PENDIN, "PENDIN"}, {abi.TOSTOP, "TOSTOP"}, {abi.EXTPROC, "EXTPROC"}}
	// The speeds of CBAUD, by value (B0..B38400, then CBAUDEX's).
	bauds = []string{"B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200", "B1800", "B2400",
		"B4800", "B9600", "B19200", "B38400"}
)

// termFlags prints a flag word as strace does, an empty set as nothing.
func termFlags(v uint64, names []flagName) string {
	if v == 0 {
		return ""
	}
	return flags(v, names)
}

// termios prints a struct termios abbreviated as strace does.
func termios(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofTermios, func(b []byte) string {
		t := abi.DecodeTermios(b)
		o := uint64(t.Oflag)
		delays := []struct {
			mask  uint64
			names []string
		}{{abi.NLDLY, []string{"NL0", "NL1"}}, {abi.CRDLY, []string{"CR0", "CR1", "CR2", "CR3"}},
			{abi.TABDLY, []string{"TAB0", "TAB1", "TAB2", "TAB3"}}, {abi.BSDLY, []string{"BS0", "BS1"}},
			{abi.VTDLY, []string{"VT0", "VT1"}}, {abi.FFDLY, []string{"FF0", "FF1"}}}
		var oparts []string
		for _, d := range delays {
			shift := 0
			for d.mask>>shift&1 == 0 {
				shift++
			}
			oparts = append(oparts, d.names[(o&d.mask)>>shift])
			o &^= d.mask
		}
		if rest := termFlags(o, termOflags); rest != "" {
			oparts = append(oparts, rest)
		}
		cf := uint64(t.Cflag)
		baud := "B" + strconv.FormatUint(cf&abi.CBAUD, 8)
		if cf&abi.CBAUD < uint64(len(bauds)) {
			baud = bauds[cf&abi.CBAUD]
		}
		cparts := []string{baud, "CS" + strconv.FormatUint(5+(cf&abi.CSIZE)>>4, 10)}
		if rest := termFlags(cf&^(abi.CBAUD|abi.CSIZE), termCflags); rest != "" {
			cparts = append(cparts, rest)
		}
		return "{c_iflag=" + termFlags(uint64(t.Iflag), termIflags) + ", c_oflag=" + strings.Join(oparts, "|") +
			", c_cflag=" + strings.Join(cparts, "|") + ", c_lflag=" + termFlags(uint64(t.Lflag), termLflags) + ", ...}"
	})
}
