package cpu

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// CPUIDResult holds the four registers CPUID returns.
type CPUIDResult struct{ EAX, EBX, ECX, EDX uint32 }

var (
	cpuidOnce  sync.Once
	cpuidLeaf1 CPUIDResult
)

// CPUID1 returns CPUID leaf 1 as Unicorn's CPU reports it to guests; the
// loader derives AT_HWCAP from its EDX, as Linux does on x86.
func CPUID1() CPUIDResult {
	cpuidOnce.Do(func() { cpuidLeaf1 = runCPUID(1) })
	return cpuidLeaf1
}

// CPUID returns leaf (with ECX 0) as Unicorn's CPU reports it, for
// /proc/cpuinfo.
func CPUID(leaf uint32) CPUIDResult {
	cpuidMu.Lock()
	defer cpuidMu.Unlock()
	if r, ok := cpuidLeaves[leaf]; ok {
		return r
	}
	r := runCPUID(leaf)
	cpuidLeaves[leaf] = r
	return r
}

var (
	cpuidMu     sync.Mutex
	cpuidLeaves = map[uint32]CPUIDResult{}
)

// runCPUID executes "cpuid; hlt" on a scratch engine.
func runCPUID(leaf uint32) CPUIDResult {
	e, err := New(IgnoreSyscalls, nil)
	if err != nil {
		return CPUIDResult{}
	}
	defer e.Close()
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return CPUIDResult{}
	}
	defer unix.Munmap(mem)
	copy(mem, []byte{0x0f, 0xa2, 0xf4})
	const at = 0x1000
	if e.Map(at, 4096, ProtRead|ProtExec, unsafe.Pointer(&mem[0])) != nil {
		return CPUIDResult{}
	}
	e.SetReg(RAX, uint64(leaf))
	e.SetReg(RCX, 0)
	e.Run(at)
	var r Regs
	e.Regs(&r)
	return CPUIDResult{uint32(r.RAX), uint32(r.RBX), uint32(r.RCX), uint32(r.RDX)}
}
