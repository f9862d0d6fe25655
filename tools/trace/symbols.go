package trace

import (
	"bytes"
	"debug/elf"
	"path"
	"sort"
	"strconv"

	"paddock/emu/cpu"
	"paddock/kernel/observe"
)

// module is an ELF file mapped into an address space.
type module struct {
	*elfFile
	path string // in the guest
	name string // the file's base name
	bias uint64 // load address minus link address
	base uint64 // the lowest address of its first PT_LOAD segment
	end  uint64 // the end of its last PT_LOAD segment
}

// elfFile is what the tracers need of an ELF file: its segments and its
// functions. Every address space that maps the file shares it.
type elfFile struct {
	loads  []elf.ProgHeader
	lo, hi uint64 // the link addresses its PT_LOAD segments span
	syms   []symbol
	main   bool   // the program itself, not a library or the loader
	soname string // a library's DT_SONAME
}

// fileKey names a file: its path and inode number.
type fileKey struct {
	path string
	ino  uint64
}

// symbol is a function of a module, at its link address.
type symbol struct {
	name       string
	addr, size uint64
}

// space is what the tracers know of one address space: its modules, by
// the ranges they cover.
type space struct {
	mods   []*module // sorted by base
	byPath map[string]*module
	anon   [][2]uint64 // ranges known to hold no file
}

// symbolizer maps guest addresses to modules and symbols, learning each
// address space's modules as its code runs.
type symbolizer struct {
	spaces  map[uint64]*space
	files   map[fileKey]*elfFile // nil for a file that is not ELF
	modules []*module            // every module seen, in order
}

func newSymbolizer() *symbolizer {
	return &symbolizer{spaces: map[uint64]*space{}, files: map[fileKey]*elfFile{}}
}

// space returns the state of t's address space.
func (z *symbolizer) space(t observe.CodeTask) *space {
	id := t.AddressSpace()
	sp := z.spaces[id]
	if sp == nil {
		sp = &space{byPath: map[string]*module{}}
		z.spaces[id] = sp
	}
	return sp
}

// module returns the module holding addr in t's address space, or nil.
func (z *symbolizer) module(t observe.CodeTask, addr uint64) *module {
	sp := z.space(t)
	i := sort.Search(len(sp.mods), func(i int) bool { return sp.mods[i].end > addr })
	if i < len(sp.mods) && sp.mods[i].base <= addr {
		return sp.mods[i]
	}
	for _, r := range sp.anon {
		if addr >= r[0] && addr < r[1] {
			return nil
		}
	}
	start, end, off, p, ino, ok := t.Mapping(addr)
	if !ok || p == "" {
		if ok {
			sp.anon = append(sp.anon, [2]uint64{start, end})
		}
		return nil
	}
	if m := sp.byPath[p]; m != nil {
		// Another mapping of a module already known (a segment
		// outside the PT_LOAD bounds it was given): treat it as
		// anonymous rather than load the file again.
		sp.anon = append(sp.anon, [2]uint64{start, end})
		return nil
	}
	m := z.load(t, fileKey{p, ino}, start, off)
	if m == nil {
		sp.anon = append(sp.anon, [2]uint64{start, end})
		return nil
	}
	sp.byPath[p] = m
	sp.mods = append(sp.mods, m)
	sort.Slice(sp.mods, func(i, j int) bool { return sp.mods[i].base < sp.mods[j].base })
	return m
}

// load places the ELF file k, mapped at start from file offset off: it
// works out where the file was loaded.
func (z *symbolizer) load(t observe.CodeTask, k fileKey, start, off uint64) *module {
	f, seen := z.files[k]
	if !seen {
		f = readELF(t, k.path)
		z.files[k] = f
	}
	if f == nil {
		return nil
	}
	for _, ph := range f.loads {
		if ph.Off&^0xfff <= off && off < ph.Off+max(ph.Filesz, 1) {
			// start holds file offset off, which the segment links at
			// Vaddr - (Off - off).
			bias := start - (ph.Vaddr - (ph.Off - off))
			m := &module{elfFile: f, path: k.path, name: path.Base(k.path), bias: bias, base: f.lo + bias, end: f.hi + bias}
			z.modules = append(z.modules, m)
			return m
		}
	}
	return nil
}

// readELF reads the segments and functions of the ELF file at p, or
// returns nil.
func readELF(t observe.CodeTask, p string) *elfFile {
	b, err := t.ReadFile(p)
	if err != nil {
		return nil
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	// The program itself is an executable, or a PIE: a shared object that
	// names an interpreter; libraries and the dynamic loader name none.
	e := &elfFile{main: f.Type == elf.ET_EXEC, lo: ^uint64(0)}
	for _, ph := range f.Progs {
		if ph.Type == elf.PT_INTERP {
			e.main = true
		}
		if ph.Type == elf.PT_LOAD {
			e.loads = append(e.loads, ph.ProgHeader)
			e.lo = min(e.lo, ph.Vaddr&^0xfff)
			e.hi = max(e.hi, ph.Vaddr+ph.Memsz)
		}
	}
	if len(e.loads) == 0 {
		return nil
	}
	if names, err := f.DynString(elf.DT_SONAME); err == nil && len(names) > 0 {
		e.soname = names[0]
	}
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		syms, _ = f.DynamicSymbols()
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 && s.Name != "" {
			e.syms = append(e.syms, symbol{s.Name, s.Value, s.Size})
		}
	}
	sort.Slice(e.syms, func(i, j int) bool { return e.syms[i].addr < e.syms[j].addr })
	return e
}

// inSpace returns the part of a per-address-space table that belongs to
// t's address space, made empty on first use.
func inSpace[V any](m map[uint64]map[uint64]V, t observe.CodeTask) map[uint64]V {
	id := t.AddressSpace()
	v := m[id]
	if v == nil {
		v = map[uint64]V{}
		m[id] = v
	}
	return v
}

// symbol returns the function holding addr in m, and addr's offset in it.
func (m *module) symbol(addr uint64) (*symbol, uint64) {
	a := addr - m.bias
	i := sort.Search(len(m.syms), func(i int) bool { return m.syms[i].addr > a }) - 1
	if i < 0 {
		return nil, 0
	}
	s := &m.syms[i]
	if s.size != 0 && a >= s.addr+s.size {
		return nil, 0
	}
	return s, a - s.addr
}

// locate names addr as "sym+0x4" in the program, "lib.so:sym+0x4" in a
// library, or "" where no symbol covers it.
func (z *symbolizer) locate(t observe.CodeTask, addr uint64) string {
	m := z.module(t, addr)
	if m == nil {
		return ""
	}
	s, off := m.symbol(addr)
	if s == nil {
		return ""
	}
	name := s.name
	if !m.main {
		name = m.name + ":" + name
	}
	if off != 0 {
		name += "+0x" + strconv.FormatUint(off, 16)
	}
	return name
}

// blocksOnly is the part of a observe.CodeTracer that needs only blocks: it asks
// for no instruction steps.
type blocksOnly struct{}

func (blocksOnly) WantSteps() bool                    { return false }
func (blocksOnly) Steps(observe.CodeTask, []cpu.Step) {}

// Tee hands every event to several code tracers.
type Tee []observe.CodeTracer

// Blocks implements observe.CodeTracer.
func (m Tee) Blocks(t observe.CodeTask, b []cpu.Block) {
	for _, x := range m {
		x.Blocks(t, b)
	}
}

// Steps implements observe.CodeTracer.
func (m Tee) Steps(t observe.CodeTask, s []cpu.Step) {
	for _, x := range m {
		if x.WantSteps() {
			x.Steps(t, s)
		}
	}
}

// WantSteps implements observe.CodeTracer.
func (m Tee) WantSteps() bool {
	for _, x := range m {
		if x.WantSteps() {
			return true
		}
	}
	return false
}
