package kernel

import (
	"crypto/rand"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"paddock/emu/cpu"
)

// FileMax is fs.file-max as Linux sets it for paddock's nominal 4 GiB
// machine: a file per 10 KiB of memory (files_maxfiles_init).
const FileMax = MemTotal / 1024 / 10

// NewUUID returns a random (version 4) UUID in Linux's text form.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// BootID returns /proc/sys/kernel/random/boot_id: a UUID drawn once per
// kernel.
func (k *Kernel) BootID() string {
	k.bootIDOnce.Do(func() { k.bootID = NewUUID() })
	return k.bootID
}

// Forks returns how many processes and threads were created since boot
// (/proc/stat's processes).
func (k *Kernel) Forks() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.forks
}

// LastPID returns the last id handed out (/proc/loadavg).
func (k *Kernel) LastPID() int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.nextPID
}

// TaskCounts returns how many tasks are runnable (not asleep, not
// stopped) and how many there are.
func (k *Kernel) TaskCounts() (running, total int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, t := range k.tasks {
		total++
		if !t.stopped && !t.sleeping.Load() {
			running++
		}
	}
	return
}

// loadAvg is the exponentially damped count of runnable tasks over 1, 5
// and 15 minutes, sampled every 5 seconds as Linux's calc_global_load
// does; the samples are taken when somebody asks, the missed intervals
// filled with the current count.
type loadAvg struct {
	mu   sync.Mutex
	last time.Duration
	avg  [3]float64
}

// loadInterval is Linux's LOAD_FREQ.
const loadInterval = 5 * time.Second

// LoadAvg returns the load averages.
func (k *Kernel) LoadAvg() [3]float64 {
	running, _ := k.TaskCounts()
	l := &k.load
	l.mu.Lock()
	defer l.mu.Unlock()
	now := k.Uptime()
	for l.last+loadInterval <= now {
		l.last += loadInterval
		for i, period := range []float64{60, 300, 900} {
			e := math.Exp(-loadInterval.Seconds() / period)
			l.avg[i] = l.avg[i]*e + float64(running)*(1-e)
		}
	}
	return l.avg
}

// CPUDescription is what /proc/cpuinfo says of the CPU the guest sees.
type CPUDescription struct {
	Vendor, ModelName              string
	Family, Model, Stepping, Level int
	MHz, CacheKB                   int
	Flags                          []string
}

// cpuFlags names CPUID feature bits as Linux's cpufeatures.h does: for
// each leaf and register, bit number to name.
var cpuFlags = []struct {
	leaf  uint32
	reg   int // 0 EAX, 1 EBX, 2 ECX, 3 EDX
	names map[int]string
}{
	{1, 3, map[int]string{0: "fpu", 1: "vme", 2: "de", 3: "pse", 4: "tsc", 5: "msr", 6: "pae", 7: "mce", 8: "cx8", 9: "apic",
		11: "sep", 12: "mtrr", 13: "pge", 14: "mca", 15: "cmov", 16: "pat", 17: "pse36", 18: "pn", 19: "clflush", 21: "dts",
		22: "acpi", 23: "mmx", 24: "fxsr", 25: "sse", 26: "sse2", 27: "ss", 28: "ht", 29: "tm", 30: "ia64", 31: "pbe"}},
	{0x80000001, 3, map[int]string{11: "syscall", 20: "nx", 22: "mmxext", 25: "fxsr_opt", 26: "pdpe1gb", 27: "rdtscp",
		29: "lm", 30: "3dnowext", 31: "3dnow"}},
	{1, 2, map[int]string{0: "pni", 1: "pclmulqdq", 2: "dtes64", 3: "monitor", 4: "ds_cpl", 5: "vmx", 6: "smx", 7: "est",
		8: "tm2", 9: "ssse3", 10: "cid", 11: "sdbg", 12: "fma", 13: "cx16", 14: "xtpr", 15: "pdcm", 17: "pcid", 18: "dca",
		19: "sse4_1", 20: "sse4_2", 21: "x2apic", 22: "movbe", 23: "popcnt", 24: "tsc_deadline_timer", 25: "aes",
		26: "xsave", 28: "avx", 29: "f16c", 30: "rdrand", 31: "hypervisor"}},
	{0x80000001, 2, map[int]string{0: "lahf_lm", 1: "cmp_legacy", 2: "svm", 3: "extapic", 4: "cr8_legacy", 5: "abm",
		6: "sse4a", 7: "misalignsse", 8: "3dnowprefetch", 9: "osvw", 10: "ibs", 11: "xop", 12: "skinit", 13: "wdt",
		15: "lwp", 16: "fma4", 21: "tbm", 22: "topoext"}},
	{7, 1, map[int]string{0: "fsgsbase", 3: "bmi1", 4: "hle", 5: "avx2", 7: "smep", 8: "bmi2", 9: "erms", 10: "invpcid",
		11: "rtm", 16: "avx512f", 18: "rdseed", 19: "adx", 20: "smap", 23: "clflushopt", 24: "clwb", 29: "sha_ni"}},
}

// CPUInfo describes the CPU as the guest's CPUID instruction reports it.
func CPUInfo() CPUDescription {
	regs := func(leaf uint32) [4]uint32 {
		r := cpu.CPUID(leaf)
		return [4]uint32{r.EAX, r.EBX, r.ECX, r.EDX}
	}
	str := func(words ...uint32) string {
		var b []byte
		for _, w := range words {
			b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
		}
		return strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
	}
	l0 := regs(0)
	d := CPUDescription{Vendor: str(l0[1], l0[3], l0[2]), Level: int(l0[0])}
	eax := regs(1)[0]
	d.Stepping = int(eax & 0xf)
	d.Model = int(eax>>4&0xf | eax>>16&0xf<<4)
	d.Family = int(eax>>8&0xf + eax>>20&0xff)
	if ext := regs(0x80000000)[0]; ext >= 0x80000004 {
		var words []uint32
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			r := regs(leaf)
			words = append(words, r[:]...)
		}
		d.ModelName = str(words...)
		if ext >= 0x80000006 {
			d.CacheKB = int(regs(0x80000006)[2] >> 16)
		}
	}
	if d.Level >= 0x16 {
		d.MHz = int(regs(0x16)[0] & 0xffff)
	}
	for _, f := range cpuFlags {
		if f.leaf <= 0x7fffffff && f.leaf > uint32(d.Level) {
			continue
		}
		v := regs(f.leaf)[f.reg]
		for bit := 0; bit < 32; bit++ {
			if name, ok := f.names[bit]; ok && v&(1<<bit) != 0 {
				d.Flags = append(d.Flags, name)
			}
		}
	}
	return d
}
