package abi

// A SyscallDesc describes a syscall's interface as a program sees it:
// what each argument and the result are (a descriptor, a path, open's
// flags, a struct stat the call fills ...) and which of strace's classes
// the call belongs to. The kernel's syscall table holds one in every row
// (kernel/sys/table.go); the tracer prints calls from it.
type SyscallDesc struct {
	Class SyscallClass
	Ret   RetKind
	Args  []ArgKind
}

// SyscallClass is a set of strace's syscall classes (-e trace=%file ...),
// as strace's syscallent tables assign them.
type SyscallClass uint32

// strace's classes.
const (
	ClassFile       SyscallClass = 1 << iota // takes a file name (%file)
	ClassProcess                             // process management (%process)
	ClassNetwork                             // network (%network)
	ClassSignal                              // signals (%signal)
	ClassIPC                                 // System V IPC (%ipc)
	ClassDesc                                // takes or returns a descriptor (%desc)
	ClassMemory                              // memory mapping (%memory)
	ClassStat                                // stat (%stat)
	ClassLstat                               // lstat (%lstat)
	ClassFstat                               // fstat and fstatat (%fstat)
	ClassStatLike                            // any stat variant (%%stat)
	ClassStatfs                              // statfs (%statfs)
	ClassFstatfs                             // fstatfs (%fstatfs)
	ClassStatfsLike                          // any statfs variant (%%statfs)
	ClassPure                                // no arguments, never fails (%pure)
	ClassCreds                               // reads or changes credentials (%creds)
	ClassClock                               // reads or sets a clock (%clock)
)

// RetKind is what a syscall returns.
type RetKind uint8

// Result kinds.
const (
	RetInt   RetKind = iota // a count or status, printed in decimal
	RetFD                   // a new descriptor
	RetAddr                 // an address (mmap, brk)
	RetOctal                // a mode (umask)
	RetFcntl                // what fcntl's command returns: flags, a descriptor, a count
	RetNone                 // the call does not return (exit, exit_group)
)

// ArgKind is what one syscall argument is.
type ArgKind uint8

// Argument kinds. "In" arguments are read by the call, "out" ones filled
// by it; a tracer prints the latter when the call returns.
const (
	ArgInt              ArgKind = iota // a C int
	ArgLong                            // a long (an offset, a length that may be negative)
	ArgUint                            // an unsigned count or size
	ArgHex                             // a word best shown in hexadecimal
	ArgPtr                             // an address the call reads, or one shown as such
	ArgOutPtr                          // an address the call writes to
	ArgFD                              // a file descriptor
	ArgDirFD                           // a directory descriptor or AT_FDCWD
	ArgPath                            // a NUL-terminated path name
	ArgMode                            // permission bits (mode_t)
	ArgFileMode                        // a file type and permission bits (mknod)
	ArgUmask                           // umask's mask
	ArgSignal                          // a signal number
	ArgAccessMode                      // access's F_OK or R_OK|W_OK|X_OK
	ArgArgv                            // execve's argument vector
	ArgEnvp                            // execve's environment
	ArgAtFlags                         // AT_* flags
	ArgBufIn                           // bytes the call reads; their count is the next argument
	ArgBufOut                          // bytes the call fills; their count is the result
	ArgBufOutHex                       // like ArgBufOut, of binary data (getrandom)
	ArgIovecIn                         // struct iovec[] the call reads; their count is the next argument
	ArgIovecOut                        // struct iovec[] the call fills, as many bytes as the result
	ArgClockID                         // a clockid_t
	ArgCloneFlags                      // clone's flags with the exit signal, and the arguments they use
	ArgPrioWhich                       // getpriority's PRIO_*
	ArgRusageWho                       // getrusage's RUSAGE_*
	ArgArchPrctlCode                   // arch_prctl's ARCH_*
	ArgEpollCtlOp                      // epoll_ctl's EPOLL_CTL_*
	ArgFcntlCmd                        // fcntl's F_* command
	ArgFcntlArg                        // fcntl's argument, as its command has it
	ArgIDType                          // waitid's P_*
	ArgIoctlRequest                    // an ioctl request
	ArgIoctlArg                        // an ioctl argument, as its request has it
	ArgItimerWhich                     // ITIMER_*
	ArgMadviseAdvice                   // madvise's MADV_*
	ArgPrctlOption                     // prctl's PR_*
	ArgSigprocmaskHow                  // SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK
	ArgMlockallFlags                   // MCL_*
	ArgCloseRangeFlags                 // CLOSE_RANGE_*
	ArgEpollCreateFlags                // EPOLL_CLOEXEC
	ArgStatxFlags                      // statx's AT_* flags
	ArgStatxMask                       // statx's STATX_* mask
	ArgEventfdFlags                    // EFD_*
	ArgGetrandomFlags                  // GRND_*
	ArgFlockOp                         // flock's LOCK_*
	ArgProt                            // PROT_*
	ArgMmapFlags                       // MAP_*
	ArgMremapFlags                     // MREMAP_*
	ArgMsyncFlags                      // MS_*
	ArgFileFlags                       // O_* flags without an access mode (dup3, pipe2)
	ArgOpenFlags                       // open's access mode and O_* flags
	ArgOpenMode                        // open's mode, meaningful only when it creates a file
	ArgRenameFlags                     // RENAME_*
	ArgSignalfdFlags                   // SFD_*
	ArgTimerfdFlags                    // TFD_*
	ArgTimerFlags                      // TIMER_ABSTIME
	ArgWaitOptions                     // WNOHANG, WUNTRACED, __WALL ...
	ArgFutexOp                         // futex's FUTEX_* operation
	ArgIntOut                          // an int the call fills
	ArgPipeFDs                         // int[2] the call fills with descriptors
	ArgPollFDs                         // struct pollfd[]; their count is the next argument
	ArgRlimitResource                  // RLIMIT_*
	ArgRlimitIn                        // struct rlimit the call reads
	ArgRlimitOut                       // struct rlimit the call fills
	ArgRlimit64In                      // struct rlimit64 the call reads (prlimit64)
	ArgRlimit64Out                     // struct rlimit64 the call fills (prlimit64)
	ArgSigsetIn                        // a sigset_t the call reads
	ArgSigsetOut                       // a sigset_t the call fills
	ArgSigactionIn                     // struct sigaction the call reads
	ArgSigactionOut                    // struct sigaction the call fills
	ArgStatOut                         // struct stat the call fills
	ArgStatxOut                        // struct statx the call fills
	ArgTimespecIn                      // struct timespec the call reads
	ArgTimespecOut                     // struct timespec the call fills
	ArgTimevalIn                       // struct timeval the call reads
	ArgTimevalOut                      // struct timeval the call fills
	ArgWaitStatusOut                   // a wait status the call fills
	ArgWhence                          // SEEK_*
	ArgDirentsOut                      // struct linux_dirent64[] the call fills
	ArgCwdOut                          // a path the call fills (getcwd)
	ArgUtsnameOut                      // struct utsname the call fills
	ArgAddressFamily                   // AF_*
	ArgSocketType                      // SOCK_* with SOCK_NONBLOCK and SOCK_CLOEXEC
	ArgSockaddrIn                      // a socket address the call reads; its length is the next argument
	ArgSockaddrOut                     // a socket address the call fills; the next argument points at its length
	ArgSocklenOut                      // a socklen_t the call updates
	ArgMsgFlags                        // MSG_*
	ArgShutdownHow                     // SHUT_*
	ArgSockoptLevel                    // SOL_*
	ArgSockoptName                     // an option at the level before it
	ArgSockoptIn                       // an option's value; its length is the next argument
	ArgSockoptOut                      // an option's value the call fills; the next argument points at its length
	ArgMsghdrIn                        // struct msghdr the call sends
	ArgMsghdrOut                       // struct msghdr the call fills
	ArgMmsghdrIn                       // struct mmsghdr[] the call sends; their count is the next argument
	ArgMmsghdrOut                      // struct mmsghdr[] the call fills
	NumArgKinds                        // the number of kinds
)
