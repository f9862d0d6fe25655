package trace

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"sync"

	"paddock/emu/cpu"
	"paddock/kernel/observe"
)

// Coverage records which basic blocks of which ELF modules ran, and
// writes them in DynamoRIO's drcov format (version 2), which Lighthouse,
// bncov and dragondance read. It implements observe.CodeTracer.
type Coverage struct {
	blocksOnly
	mu   sync.Mutex
	z    *symbolizer
	seen map[uint64]map[uint64]bool // address space -> block address
	bbs  map[covBlock]bool
}

// covBlock is a block as drcov keeps it: its module and offset in it.
type covBlock struct {
	mod  *module
	off  uint64
	size uint32
}

// NewCoverage returns an empty coverage recorder.
func NewCoverage() *Coverage {
	return &Coverage{z: newSymbolizer(), seen: map[uint64]map[uint64]bool{}, bbs: map[covBlock]bool{}}
}

// Blocks implements observe.CodeTracer.
func (c *Coverage) Blocks(t observe.CodeTask, blocks []cpu.Block) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := inSpace(c.seen, t)
	for _, b := range blocks {
		if seen[b.Addr] {
			continue
		}
		seen[b.Addr] = true
		if m := c.z.module(t, b.Addr); m != nil {
			c.bbs[covBlock{m, b.Addr - m.base, b.Size}] = true
		}
	}
}

// WriteTo writes the drcov file: the module table (one entry per file
// and load address, whichever processes mapped it) and the blocks.
func (c *Coverage) WriteTo(w io.Writer) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	type modKey struct {
		path string
		base uint64
	}
	ids := map[modKey]int{}
	var mods []*module
	for _, m := range c.z.modules {
		k := modKey{m.path, m.base}
		if _, ok := ids[k]; !ok {
			ids[k] = len(mods)
			mods = append(mods, m)
		}
	}
	type entry struct {
		off  uint32
		size uint16
		mod  uint16
	}
	var entries []entry
	for b := range c.bbs {
		entries = append(entries, entry{uint32(b.off), uint16(min(b.size, 0xffff)), uint16(ids[modKey{b.mod.path, b.mod.base}])})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].mod != entries[j].mod {
			return entries[i].mod < entries[j].mod
		}
		return entries[i].off < entries[j].off
	})
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\nModule Table: version 2, count %d\n", len(mods))
	fmt.Fprintf(bw, "Columns: id, base, end, entry, checksum, timestamp, path\n")
	for i, m := range mods {
		fmt.Fprintf(bw, "%3d, 0x%016x, 0x%016x, 0x%016x, 0x%08x, 0x%08x, %s\n", i, m.base, m.end, 0, 0, 0, m.path)
	}
	fmt.Fprintf(bw, "BB Table: %d bbs\n", len(entries))
	var rec [8]byte
	for _, e := range entries {
		binary.LittleEndian.PutUint32(rec[0:], e.off)
		binary.LittleEndian.PutUint16(rec[4:], e.size)
		binary.LittleEndian.PutUint16(rec[6:], e.mod)
		bw.Write(rec[:])
	}
	return 0, bw.Flush()
}
