package trace

import (
	"io"
	"sort"
	"sync"

	"github.com/google/pprof/profile"
	"golang.org/x/arch/x86/x86asm"

	"paddock/emu/cpu"
	"paddock/kernel/observe"
)

// Profile counts the guest instructions each function executes and writes
// them as a pprof profile: `go tool pprof -top` lists the guest's busiest
// functions by ELF symbol. The counts are exact, not sampled: every block
// counts each time it runs, weighed by its instructions. It implements
// observe.CodeTracer.
type Profile struct {
	blocksOnly
	mu     sync.Mutex
	z      *symbolizer
	blocks map[uint64]map[uint64]*blockCount // address space -> block address
}

// blockCount is how often a block ran.
type blockCount struct {
	insns int64 // instructions in the block
	runs  int64
	where string // function name
	mod   *module
}

// NewProfile returns an empty profile.
func NewProfile() *Profile {
	return &Profile{z: newSymbolizer(), blocks: map[uint64]map[uint64]*blockCount{}}
}

// Blocks implements observe.CodeTracer.
func (p *Profile) Blocks(t observe.CodeTask, blocks []cpu.Block) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := inSpace(p.blocks, t)
	for _, b := range blocks {
		c := m[b.Addr]
		if c == nil {
			c = p.newBlock(t, b)
			m[b.Addr] = c
		}
		c.runs++
	}
}

// newBlock counts a block's instructions and names its function.
func (p *Profile) newBlock(t observe.CodeTask, b cpu.Block) *blockCount {
	code := make([]byte, b.Size)
	code = code[:readSome(t, b.Addr, code)]
	c := &blockCount{}
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 64)
		l := inst.Len
		if err != nil || l == 0 {
			l = 1
		}
		off += l
		c.insns++
	}
	c.where = "?"
	if m := p.z.module(t, b.Addr); m != nil {
		c.mod = m
		if s, _ := m.symbol(b.Addr); s != nil {
			c.where = s.name
		} else {
			c.where = m.name + "+?"
		}
	}
	return c
}

// WriteTo writes the profile in pprof's gzipped protocol buffer format,
// one sample per function.
func (p *Profile) WriteTo(w io.Writer) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type fnKey struct {
		name string
		file string
	}
	totals := map[fnKey][2]int64{}
	for _, space := range p.blocks {
		for _, c := range space {
			k := fnKey{name: c.where}
			if c.mod != nil {
				k.file = c.mod.path
			}
			v := totals[k]
			v[0] += c.insns * c.runs
			v[1] += c.runs
			totals[k] = v
		}
	}
	keys := make([]fnKey, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].file != keys[j].file {
			return keys[i].file < keys[j].file
		}
		return keys[i].name < keys[j].name
	})
	prof := &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "instructions", Unit: "count"}, {Type: "blocks", Unit: "count"}},
		PeriodType:        &profile.ValueType{Type: "instructions", Unit: "count"},
		Period:            1,
		DefaultSampleType: "instructions",
	}
	for i, k := range keys {
		fn := &profile.Function{ID: uint64(i + 1), Name: k.name, SystemName: k.name, Filename: k.file}
		loc := &profile.Location{ID: uint64(i + 1), Line: []profile.Line{{Function: fn}}}
		prof.Function = append(prof.Function, fn)
		prof.Location = append(prof.Location, loc)
		v := totals[k]
		prof.Sample = append(prof.Sample, &profile.Sample{Location: []*profile.Location{loc}, Value: []int64{v[0], v[1]}})
	}
	return 0, prof.Write(w)
}
