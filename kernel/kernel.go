// Package kernel is paddock's Linux kernel: processes (thread groups), tasks
// (threads) and their run loops, credentials, resource limits, clocks, file
// descriptor tables, and the syscall dispatcher whose handlers live in
// kernel/sys. A task's guest code runs on its address space's engine; every
// syscall instruction enters Task.syscall, which looks the call up in the
// table and sets RAX from the result.
package kernel

import (
	"fmt"
	"io"
	"sync"
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/kernel/futex"
	"paddock/kernel/net"
	"paddock/kernel/observe"
	"paddock/kernel/vfs"
)

// Args are a syscall's six arguments (RDI, RSI, RDX, R10, R8, R9).
type Args [6]uint64

// Int returns argument i as a C int.
func (a Args) Int(i int) int32 { return int32(a[i]) }

// Uint returns argument i as an unsigned int.
func (a Args) Uint(i int) uint32 { return uint32(a[i]) }

// SyscallFn implements one syscall: it returns the value for RAX, or an
// abi.Errno that the dispatcher returns as -errno.
type SyscallFn func(t *Task, a Args) (uint64, error)

// Syscall is one entry of the syscall table.
type Syscall struct {
	Fn SyscallFn
	// Blocks reports whether a call with these arguments may sleep. Such a
	// call runs without holding the engine when other tasks share it, so
	// that they can run meanwhile; it must not touch the engine.
	Blocks func(Args) bool
	// Desc says what the arguments and the result are, for the tracer.
	Desc abi.SyscallDesc
	// Explain says in plain English what a program asks for with the
	// call (--strace-explain).
	Explain string
}

// SyscallTable maps syscall numbers to handlers.
type SyscallTable [abi.MaxSysno]Syscall

// Describe returns what the tracer prints a call by: its description and
// explanation; ok is false for a call the kernel does not implement.
func (t *SyscallTable) Describe(nr abi.Sysno) (d abi.SyscallDesc, explain string, ok bool) {
	if nr >= abi.MaxSysno || t[nr].Fn == nil {
		return abi.SyscallDesc{}, "", false
	}
	return t[nr].Desc, t[nr].Explain, true
}

// Config is what a kernel is booted with.
type Config struct {
	Root       vfs.FileSystem
	RootSource string // what /proc/mounts shows as the root's device
	Hostname   string
	Release    string // uname -r
	Version    string // uname -v
	NumCPU     int    // CPUs the guest is told it has
	// Stdio are the files of the first process's descriptors 0, 1 and
	// 2 (kernel/console makes them of the host's standard files); nil
	// leaves a descriptor closed.
	Stdio [3]*vfs.File
	// Log receives paddock's own diagnostics (unimplemented syscalls).
	Log io.Writer
	// Tracer, if set, observes every syscall, signal and exit.
	Tracer observe.Tracer
	// CodeTracer, if set, sees the guest code that runs.
	CodeTracer observe.CodeTracer
	// Debugger, if set, controls the first process.
	Debugger observe.Debugger
	// NewEngine makes the engine of a new address space; nil is
	// Unicorn's (cpu.New). The kernel's unit tests run a fake.
	NewEngine func(cpu.SyscallHandler, cpu.FaultHandler) (cpu.Engine, error)
}

// Kernel is one running paddock kernel.
type Kernel struct {
	cfg      Config
	syscalls *SyscallTable
	vfs      *vfs.VFS
	net      *net.Stack
	boot     time.Time // for CLOCK_MONOTONIC and uptime

	// mu guards the process table, process relationships, groups and
	// sessions, and all signal state.
	mu       sync.Mutex
	stopCond *sync.Cond // broadcast when a group stop ends
	tasks    map[int32]*Task
	procs    map[int32]*Process
	pgrps    map[int32]*ProcessGroup
	nextPID  int32
	forks    uint64 // processes and threads created since boot
	init     *Process
	hostname string
	domain   string
	futexes  futex.Table

	ptys       ptys
	bootIDOnce sync.Once
	bootID     string
	load       loadAvg

	reportMu sync.Mutex
	reported map[abi.Sysno]bool

	// done is closed when the first process has exited and its status is
	// in initStatus.
	done       chan struct{}
	initStatus WaitStatus
}

// New boots a kernel: it mounts the root, /dev, /proc and /tmp file systems
// are the caller's to add with VFS().Mount.
func New(cfg Config, table *SyscallTable) *Kernel {
	if cfg.NumCPU <= 0 {
		cfg.NumCPU = 1
	}
	k := &Kernel{
		cfg:      cfg,
		syscalls: table,
		boot:     time.Now(),
		tasks:    map[int32]*Task{},
		procs:    map[int32]*Process{},
		pgrps:    map[int32]*ProcessGroup{},
		reported: map[abi.Sysno]bool{},
		hostname: cfg.Hostname,
		domain:   "(none)",
		done:     make(chan struct{}),
	}
	k.stopCond = sync.NewCond(&k.mu)
	k.vfs = vfs.New(cfg.Root, cfg.RootSource, k.RealtimeNow)
	k.net = net.New(k.vfs)
	k.vfs.RegisterMemDevices()
	k.RegisterTTYDevices()
	return k
}

// VFS returns the kernel's file system namespace.
func (k *Kernel) VFS() *vfs.VFS { return k.vfs }

// Net returns the kernel's network.
func (k *Kernel) Net() *net.Stack { return k.net }

// Config returns the configuration the kernel booted with.
func (k *Kernel) Config() *Config { return &k.cfg }

// Hostname returns the UTS host name.
func (k *Kernel) Hostname() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hostname
}

// SetHostname sets the UTS host name (sethostname).
func (k *Kernel) SetHostname(h string) {
	k.mu.Lock()
	k.hostname = h
	k.mu.Unlock()
}

// Domainname returns the UTS domain name.
func (k *Kernel) Domainname() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.domain
}

// SetDomainname sets the UTS domain name (setdomainname).
func (k *Kernel) SetDomainname(d string) {
	k.mu.Lock()
	k.domain = d
	k.mu.Unlock()
}

// reportUnimplemented tells the user, once per syscall, that a guest called
// something paddock does not implement.
func (k *Kernel) reportUnimplemented(nr abi.Sysno) {
	k.reportMu.Lock()
	defer k.reportMu.Unlock()
	if k.reported[nr] {
		return
	}
	k.reported[nr] = true
	if k.cfg.Log != nil {
		fmt.Fprintf(k.cfg.Log, "paddock: unimplemented syscall %s (%d): returning ENOSYS\n", nr.Name(), uint64(nr))
	}
}

// Done is closed when the first process has exited.
func (k *Kernel) Done() <-chan struct{} { return k.done }

// InitStatus returns the first process's wait status once Done is closed.
func (k *Kernel) InitStatus() WaitStatus { return k.initStatus }

// allocPID returns a new process or thread id.
func (k *Kernel) allocPID() int32 {
	for {
		k.nextPID++
		k.forks++
		if k.nextPID > PidMax {
			k.nextPID = 2
		}
		if _, ok := k.tasks[k.nextPID]; !ok {
			if _, ok := k.procs[k.nextPID]; !ok {
				return k.nextPID
			}
		}
	}
}

// PidMax is /proc/sys/kernel/pid_max's default (PID_MAX_DEFAULT; Linux
// raises it only with more than 32 CPUs).
const PidMax = 32768

// NumCPU returns the number of CPUs the guest sees.
func (k *Kernel) NumCPU() int { return k.cfg.NumCPU }
