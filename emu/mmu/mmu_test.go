package mmu

import (
	"bytes"
	"errors"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu"
)

const rw = abi.PROT_READ | abi.PROT_WRITE

// probe is guest code at probeAddr: "mov [rdi], rsi; mov rax, [rdi]; hlt". It
// checks through the engine itself that a page is mapped as the VMAs say.
const probeAddr = 0x10000

var probeCode = []byte{0x48, 0x89, 0x37, 0x48, 0x8b, 0x07, 0xf4}

func newAS(t *testing.T) *AddressSpace {
	t.Helper()
	var as *AddressSpace
	eng, err := cpu.New(cpu.IgnoreSyscalls, func(addr uint64, _ int, _ cpu.Access) bool { return as.Grow(addr) })
	if err != nil {
		t.Fatal(err)
	}
	as = New(eng)
	t.Cleanup(func() { as.Close(); eng.Close() })
	if _, err := as.Map(Mapping{Addr: probeAddr, Len: 4096, Prot: abi.PROT_READ | abi.PROT_EXEC, Fixed: true,
		Fill: func(b []byte) error { copy(b, probeCode); return nil }}); err != nil {
		t.Fatal(err)
	}
	return as
}

// store writes v at addr by running guest code and reports how it ended.
func store(as *AddressSpace, addr, v uint64) cpu.Exit {
	e := as.Engine()
	as.Sync()
	e.SetReg(cpu.RDI, addr)
	e.SetReg(cpu.RSI, v)
	return e.Run(probeAddr)
}

func mustMap(t *testing.T, as *AddressSpace, m Mapping) uint64 {
	t.Helper()
	a, err := as.Map(m)
	if err != nil {
		t.Fatalf("Map(%+v): %v", m, err)
	}
	return a
}

func ranges(as *AddressSpace) [][2]uint64 {
	var r [][2]uint64
	for _, v := range as.VMAs() {
		if v.Start != probeAddr {
			r = append(r, [2]uint64{v.Start, v.End})
		}
	}
	return r
}

func TestPlacementTopDown(t *testing.T) {
	as := newAS(t)
	a := mustMap(t, as, Mapping{Len: 3 * 4096, Prot: rw})
	b := mustMap(t, as, Mapping{Len: 4096, Prot: rw})
	if a != MmapBase-3*4096 || b != a-4096 {
		t.Errorf("placed at %#x and %#x, want %#x and %#x", a, b, uint64(MmapBase-3*4096), a-4096)
	}
	// A free hint is honoured; a taken one is not.
	if h := mustMap(t, as, Mapping{Addr: 0x200000, Len: 4096, Prot: rw}); h != 0x200000 {
		t.Errorf("free hint: %#x", h)
	}
	if h := mustMap(t, as, Mapping{Addr: 0x200000, Len: 4096, Prot: rw}); h == 0x200000 {
		t.Error("taken hint reused")
	}
	// Adjacent mappings with separate host memory stay separate VMAs
	// (each VMA is one Unicorn region), unlike Linux, which merges them.
	if got := len(ranges(as)); got != 4 {
		t.Errorf("%d VMAs: %x", got, ranges(as))
	}
}

func TestFixed(t *testing.T) {
	as := newAS(t)
	mustMap(t, as, Mapping{Addr: 0x400000, Len: 4 * 4096, Prot: rw, Fixed: true})
	if x := store(as, 0x401000, 5); x.Kind != cpu.ExitHalt {
		t.Fatalf("store: %+v", x)
	}
	_, err := as.Map(Mapping{Addr: 0x401000, Len: 4096, Prot: rw, NoReplace: true})
	if !errors.Is(err, abi.EEXIST) {
		t.Errorf("NOREPLACE over a mapping: %v", err)
	}
	mustMap(t, as, Mapping{Addr: 0x401000, Len: 4096, Prot: abi.PROT_READ, Fixed: true})
	var b [8]byte
	if err := as.CopyIn(0x401000, b[:]); err != nil || b != [8]byte{} {
		t.Errorf("fixed replacement not fresh: %v %v", err, b)
	}
	if x := store(as, 0x401000, 5); x.Kind != cpu.ExitFault || !x.Mapped {
		t.Errorf("store into read-only replacement: %+v", x)
	}
	if want := [][2]uint64{{0x400000, 0x401000}, {0x401000, 0x402000}, {0x402000, 0x404000}}; !equalRanges(ranges(as), want) {
		t.Errorf("ranges %x, want %x", ranges(as), want)
	}
	if _, err := as.Map(Mapping{Addr: 0x1000, Len: 4096, Prot: rw, Fixed: true}); !errors.Is(err, abi.EPERM) {
		t.Errorf("map below mmap_min_addr: %v", err)
	}
}

func equalRanges(a, b [][2]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnmapSplitsAndProtectMerges(t *testing.T) {
	as := newAS(t)
	base := mustMap(t, as, Mapping{Addr: 0x500000, Len: 8 * 4096, Prot: rw, Fixed: true})
	for i := uint64(0); i < 8; i++ {
		store(as, base+i*4096, i+100)
	}
	if err := as.Unmap(base+2*4096, 2*4096); err != nil {
		t.Fatal(err)
	}
	want := [][2]uint64{{base, base + 2*4096}, {base + 4*4096, base + 8*4096}}
	if !equalRanges(ranges(as), want) {
		t.Fatalf("after unmap: %x", ranges(as))
	}
	if x := store(as, base+2*4096, 1); x.Kind != cpu.ExitFault || x.Mapped {
		t.Errorf("store into hole: %+v", x)
	}
	if v, _ := as.ReadUint64(base + 5*4096); v != 105 {
		t.Errorf("data after split moved: %d", v)
	}
	if err := as.Protect(base+5*4096, 4096, abi.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if n := len(ranges(as)); n != 4 {
		t.Errorf("after mprotect of one page: %x", ranges(as))
	}
	if x := store(as, base+5*4096, 1); x.Kind != cpu.ExitFault || !x.Mapped {
		t.Errorf("store into read-only page: %+v", x)
	}
	if x := store(as, base+6*4096, 1); x.Kind != cpu.ExitHalt {
		t.Errorf("store beside it: %+v", x)
	}
	if err := as.Protect(base+5*4096, 4096, rw); err != nil {
		t.Fatal(err)
	}
	if !equalRanges(ranges(as), want) {
		t.Errorf("mprotect back did not merge: %x", ranges(as))
	}
	if err := as.Protect(base, 4*4096, abi.PROT_READ); !errors.Is(err, abi.ENOMEM) {
		t.Errorf("mprotect over a hole: %v", err)
	}
	if x := store(as, base, 1); x.Kind != cpu.ExitHalt {
		t.Errorf("failed mprotect changed protection: %+v", x)
	}
}

func TestRemap(t *testing.T) {
	as := newAS(t)
	a := mustMap(t, as, Mapping{Addr: 0x600000, Len: 2 * 4096, Prot: rw, Fixed: true})
	as.WriteUint64(a+4096, 42)
	// Grow in place: the room after it is free.
	if got, err := as.Remap(a, 2*4096, 4*4096, 0, 0); err != nil || got != a {
		t.Fatalf("grow in place: %#x %v", got, err)
	}
	if x := store(as, a+3*4096, 1); x.Kind != cpu.ExitHalt {
		t.Errorf("store into grown part: %+v", x)
	}
	// Block the room after it: growing must move, keeping the data.
	mustMap(t, as, Mapping{Addr: a + 4*4096, Len: 4096, Prot: rw, Fixed: true})
	if _, err := as.Remap(a, 4*4096, 8*4096, 0, 0); !errors.Is(err, abi.ENOMEM) {
		t.Errorf("grow without MAYMOVE: %v", err)
	}
	b, err := as.Remap(a, 4*4096, 8*4096, abi.MREMAP_MAYMOVE, 0)
	if err != nil || b == a {
		t.Fatalf("move: %#x %v", b, err)
	}
	if v, _ := as.ReadUint64(b + 4096); v != 42 {
		t.Errorf("moved data: %d", v)
	}
	if x := store(as, a, 1); x.Kind != cpu.ExitFault {
		t.Errorf("old place still mapped: %+v", x)
	}
	if x := store(as, b+7*4096, 1); x.Kind != cpu.ExitHalt {
		t.Errorf("new place: %+v", x)
	}
	// Shrink.
	if got, err := as.Remap(b, 8*4096, 4096, 0, 0); err != nil || got != b {
		t.Fatalf("shrink: %#x %v", got, err)
	}
	if x := store(as, b+4096, 1); x.Kind != cpu.ExitFault {
		t.Errorf("shrunk part still mapped: %+v", x)
	}
	// MREMAP_FIXED.
	c, err := as.Remap(b, 4096, 4096, abi.MREMAP_MAYMOVE|abi.MREMAP_FIXED, 0x700000)
	if err != nil || c != 0x700000 {
		t.Fatalf("fixed move: %#x %v", c, err)
	}
	if v, _ := as.ReadUint64(c); v != 1 && v != 0 {
		t.Errorf("fixed move data: %d", v)
	}
	if _, err := as.Remap(0x900000, 4096, 8192, abi.MREMAP_MAYMOVE, 0); !errors.Is(err, abi.EFAULT) {
		t.Errorf("remap of nothing: %v", err)
	}
}

func TestBrk(t *testing.T) {
	as := newAS(t)
	as.SetBrk(0x800123)
	start := uint64(0x801000)
	if got := as.Brk(0, abi.RLIM_INFINITY); got != start {
		t.Fatalf("initial brk %#x", got)
	}
	if got := as.Brk(start+10000, abi.RLIM_INFINITY); got != start+10000 {
		t.Fatalf("grow: %#x", got)
	}
	if x := store(as, start+8192, 9); x.Kind != cpu.ExitHalt {
		t.Errorf("store into heap: %+v", x)
	}
	as.Brk(start+100, abi.RLIM_INFINITY)
	if x := store(as, start+8192, 9); x.Kind != cpu.ExitFault {
		t.Errorf("store past shrunk heap: %+v", x)
	}
	as.Brk(start+3*4096, abi.RLIM_INFINITY)
	if v, _ := as.ReadUint64(start + 8192); v != 0 {
		t.Errorf("regrown heap not zero: %d", v)
	}
	if got := as.Brk(start+1<<20, 4096); got != start+3*4096 {
		t.Errorf("brk beyond RLIMIT_DATA moved to %#x", got)
	}
	mustMap(t, as, Mapping{Addr: start + 10*4096, Len: 4096, Prot: rw, Fixed: true})
	if got := as.Brk(start+20*4096, abi.RLIM_INFINITY); got != start+3*4096 {
		t.Errorf("brk over a mapping moved to %#x", got)
	}
	for _, v := range as.VMAs() {
		if v.Start == start && v.Name != "[heap]" {
			t.Errorf("heap VMA named %q", v.Name)
		}
	}
}

func TestStackGrowth(t *testing.T) {
	as := newAS(t)
	as.SetLimits(Limits{Stack: func() uint64 { return 1 << 20 }})
	top := uint64(StackTop)
	if err := as.MapStack(top, 4*4096); err != nil {
		t.Fatal(err)
	}
	// A guest store below the stack grows it (in the fault hook).
	if x := store(as, top-40*4096, 3); x.Kind != cpu.ExitHalt {
		t.Fatalf("store below stack: %+v", x)
	}
	// A kernel copy below it grows it too.
	if err := as.CopyOut(top-100*4096, []byte{1}); err != nil {
		t.Fatalf("kernel copy below stack: %v", err)
	}
	if x := store(as, top-100*4096, 3); x.Kind != cpu.ExitHalt {
		t.Fatalf("store after kernel growth: %+v", x)
	}
	// Beyond RLIMIT_STACK it does not.
	if x := store(as, top-(1<<20)-4096, 3); x.Kind != cpu.ExitFault {
		t.Errorf("store beyond the stack limit: %+v", x)
	}
	vm := as.VMAs()
	last := vm[len(vm)-1]
	if last.Name != "[stack]" || last.Start != top-100*4096 || last.End != top {
		t.Errorf("stack VMA %+v", last)
	}
	if v, _ := as.ReadUint64(top - 40*4096); v != 3 {
		t.Errorf("stack data lost in growth: %d", v)
	}
}

func TestAccessChecks(t *testing.T) {
	as := newAS(t)
	a := mustMap(t, as, Mapping{Addr: 0x500000, Len: 2 * 4096, Prot: abi.PROT_READ, Fixed: true,
		Fill: func(b []byte) error {
			copy(b[4096:], bytes.Repeat([]byte{'x'}, 4096))
			copy(b[4096-3:], "abc\x00")
			return nil
		}})
	mustMap(t, as, Mapping{Addr: a + 2*4096, Len: 4096, Prot: abi.PROT_NONE, Fixed: true})
	cases := []struct {
		name string
		err  error
	}{
		{"write to read-only", as.CopyOut(a, []byte{1})},
		{"read of PROT_NONE", as.CopyIn(a+2*4096, make([]byte, 1))},
		{"read across into PROT_NONE", as.CopyIn(a+4096, make([]byte, 4097))},
		{"read of unmapped", as.CopyIn(0x20000000, make([]byte, 1))},
		{"read past TASK_SIZE", as.CopyIn(abi.TaskSize-1, make([]byte, 2))},
	}
	for _, c := range cases {
		if !errors.Is(c.err, abi.EFAULT) {
			t.Errorf("%s: %v, want EFAULT", c.name, c.err)
		}
	}
	if s, err := as.ReadCString(a+4096-3, 100); err != nil || s != "abc" {
		t.Errorf("ReadCString across page = %q, %v", s, err)
	}
	if _, err := as.ReadCString(a+4096-3, 2); !errors.Is(err, abi.ENAMETOOLONG) {
		t.Errorf("ReadCString over max: %v", err)
	}
	if _, err := as.ReadCString(a+4096+10, 10000); !errors.Is(err, abi.EFAULT) {
		t.Errorf("ReadCString running into PROT_NONE: %v", err)
	}
}

func TestKernelWriteToCodeIsSeen(t *testing.T) {
	as := newAS(t)
	code := mustMap(t, as, Mapping{Addr: 0x500000, Len: 4096, Prot: abi.PROT_READ | abi.PROT_WRITE | abi.PROT_EXEC, Fixed: true})
	as.CopyOut(code, []byte{0xb8, 1, 0, 0, 0, 0xf4}) // mov eax, 1; hlt
	as.Sync()
	as.Engine().Run(code)
	as.CopyOut(code, []byte{0xb8, 2, 0, 0, 0, 0xf4})
	as.Sync()
	as.Engine().Run(code)
	if got := as.Engine().Reg(cpu.RAX); got != 2 {
		t.Errorf("rax = %d: stale code ran after a kernel write", got)
	}
}

func TestFork(t *testing.T) {
	as := newAS(t)
	priv := mustMap(t, as, Mapping{Addr: 0x500000, Len: 3 * 4096, Prot: rw, Fixed: true})
	shared := mustMap(t, as, Mapping{Addr: 0x600000, Len: 4096, Prot: rw, Fixed: true, Shared: true})
	as.Protect(priv+4096, 4096, abi.PROT_READ)
	as.WriteUint64(priv, 1)
	as.WriteUint64(priv+2*4096, 3)
	as.SetBrk(0x900000)
	as.Brk(0x902000, abi.RLIM_INFINITY)

	var child *AddressSpace
	eng, err := cpu.New(cpu.IgnoreSyscalls, func(addr uint64, _ int, _ cpu.Access) bool { return child.Grow(addr) })
	if err != nil {
		t.Fatal(err)
	}
	child, err = as.Fork(eng)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { child.Close(); eng.Close() }()
	if !equalRanges(ranges(child), ranges(as)) {
		t.Errorf("child VMAs %x, parent %x", ranges(child), ranges(as))
	}
	if v, _ := child.ReadUint64(priv + 2*4096); v != 3 {
		t.Errorf("child sees %d", v)
	}
	store(child, priv, 10)
	if v, _ := as.ReadUint64(priv); v != 1 {
		t.Errorf("child's private write reached the parent: %d", v)
	}
	store(child, shared, 77)
	if v, _ := as.ReadUint64(shared); v != 77 {
		t.Errorf("shared write not seen by parent: %d", v)
	}
	if x := store(child, priv+4096, 1); x.Kind != cpu.ExitFault || !x.Mapped {
		t.Errorf("child lost the protection: %+v", x)
	}
	if got := child.Brk(0, abi.RLIM_INFINITY); got != 0x902000 {
		t.Errorf("child brk %#x", got)
	}
	as.Close()
	if v, _ := child.ReadUint64(shared); v != 77 {
		t.Errorf("shared memory gone with the parent: %d", v)
	}
	var buf [4]byte
	child.CopyIn(priv, buf[:])
	if !bytes.Equal(buf[:], []byte{10, 0, 0, 0}) {
		t.Errorf("child private data %v", buf)
	}
}
