package trace

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/arch/x86/x86asm"

	"paddock/emu/cpu"
	"paddock/kernel/observe"
)

// ItraceOptions choose what an instruction trace shows.
type ItraceOptions struct {
	Ranges [][2]uint64 // addresses [lo, hi) to show
	Syms   []string    // functions to show: "name", or "lib:name" for a library whose file name starts with lib
	PIDs   []int32     // processes to show
	Start  string      // show nothing before the first entry to this function
	Limit  uint64      // stop after this many instructions (0: no limit)
	ATT    bool        // AT&T syntax instead of Intel's
	Regs   bool        // show the registers each instruction changed (one hook per instruction)
}

// Itrace writes an instruction trace: a line per executed instruction with
// the pid, address, symbol, bytes and disassembly. Each distinct block is
// decoded once; a block's lines are then copied out as they are.
// It implements observe.CodeTracer.
type Itrace struct {
	mu      sync.Mutex
	w       *bufio.Writer
	opts    ItraceOptions
	z       *symbolizer
	blocks  map[uint64]map[uint64]*decoded // address space -> block address
	insns   map[uint64]map[uint64]*insn    // address space -> address (Regs mode)
	prefix  map[int32][]byte
	prev    map[int32]*prevStep
	started bool
	count   uint64
	done    bool
}

// decoded is a block's instructions, ready to print.
type decoded struct {
	size  uint32
	insns []insn
}

// insn is one decoded instruction.
type insn struct {
	line  []byte // "0x401000 main+0x4  48 89 e5  mov rbp, rsp\n"
	keep  bool   // the filters let it through
	start bool   // the start trigger
}

// prevStep is a task's last instruction in Regs mode, printed when the
// next shows what it changed.
type prevStep struct {
	in   *insn
	regs [cpu.NumStepRegs]uint64
}

// NewItrace returns an instruction tracer writing to w.
func NewItrace(w io.Writer, opts ItraceOptions) *Itrace {
	return &Itrace{w: bufio.NewWriterSize(w, 1<<20), opts: opts, z: newSymbolizer(),
		blocks: map[uint64]map[uint64]*decoded{}, insns: map[uint64]map[uint64]*insn{},
		prefix: map[int32][]byte{}, prev: map[int32]*prevStep{}, started: opts.Start == ""}
}

// WantSteps implements observe.CodeTracer.
func (it *Itrace) WantSteps() bool { return it.opts.Regs }

// pidPrefix is the start of each of task tid's lines.
func (it *Itrace) pidPrefix(tid int32) []byte {
	p := it.prefix[tid]
	if p == nil {
		p = []byte(fmt.Sprintf("[%5d] ", tid))
		it.prefix[tid] = p
	}
	return p
}

// wanted reports whether t's process is traced.
func (it *Itrace) wanted(t observe.CodeTask) bool {
	if len(it.opts.PIDs) == 0 {
		return true
	}
	pid := t.TGID()
	for _, p := range it.opts.PIDs {
		if p == pid {
			return true
		}
	}
	return false
}

// Blocks implements observe.CodeTracer.
func (it *Itrace) Blocks(t observe.CodeTask, blocks []cpu.Block) {
	if it.opts.Regs {
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.done || !it.wanted(t) {
		return
	}
	cache := inSpace(it.blocks, t)
	prefix := it.pidPrefix(t.TID())
	for _, b := range blocks {
		d := cache[b.Addr]
		if d == nil || d.size != b.Size {
			d = it.decodeBlock(t, b.Addr, b.Size)
			cache[b.Addr] = d
		}
		for i := range d.insns {
			in := &d.insns[i]
			if !it.emit(prefix, in, nil) {
				return
			}
		}
	}
}

// emit writes one instruction if the filters let it through, and reports
// whether tracing goes on.
func (it *Itrace) emit(prefix []byte, in *insn, changed []byte) bool {
	if !it.started {
		if !in.start {
			return true
		}
		it.started = true
	}
	if !in.keep {
		return true
	}
	it.w.Write(prefix)
	if changed == nil {
		it.w.Write(in.line)
	} else {
		it.w.Write(in.line[:len(in.line)-1])
		it.w.Write(changed)
		it.w.WriteByte('\n')
	}
	it.count++
	if it.opts.Limit != 0 && it.count >= it.opts.Limit {
		it.done = true
		return false
	}
	return true
}

// Steps implements observe.CodeTracer: in Regs mode each instruction
// prints when the next one shows what it changed.
func (it *Itrace) Steps(t observe.CodeTask, steps []cpu.Step) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.done || !it.wanted(t) {
		return
	}
	cache := inSpace(it.insns, t)
	tid := t.TID()
	prefix := it.pidPrefix(tid)
	for i := range steps {
		s := &steps[i]
		in := cache[s.Addr]
		if in == nil {
			d := it.decodeBlock(t, s.Addr, 16)
			in = &d.insns[0]
			cache[s.Addr] = in
		}
		if p := it.prev[tid]; p != nil {
			if !it.emit(prefix, p.in, regDiff(&p.regs, &s.Regs)) {
				return
			}
		}
		it.prev[tid] = &prevStep{in: in, regs: s.Regs}
	}
}

// regDiff lists the registers that differ, as " rax=0x1 rsp=0x7ff0".
func regDiff(a, b *[cpu.NumStepRegs]uint64) []byte {
	out := []byte{}
	for i := range a {
		if a[i] != b[i] {
			out = append(out, ' ')
			out = append(out, cpu.StepRegNames[i]...)
			out = append(out, "=0x"...)
			out = strconv.AppendUint(out, b[i], 16)
		}
	}
	return out
}

// decodeBlock disassembles the size bytes at addr (in Regs mode, the one
// instruction there).
func (it *Itrace) decodeBlock(t observe.CodeTask, addr uint64, size uint32) *decoded {
	code := make([]byte, size)
	n := readSome(t, addr, code)
	code = code[:n]
	d := &decoded{size: size}
	for off := 0; off < len(code) || off == 0; {
		pc := addr + uint64(off)
		var text string
		l := 1
		inst, err := x86asm.Decode(code[off:], 64)
		switch {
		case len(code) == 0:
			text = "(unreadable)"
		case err != nil:
			text = "(bad)"
		default:
			l = inst.Len
			// Operands are named only inside a function's known
			// extent (or at a function without a size): the nearest
			// symbol below an address in data says nothing.
			sym := func(a uint64) (string, uint64) {
				m := it.z.module(t, a)
				if m == nil {
					return "", 0
				}
				s, off := m.symbol(a)
				if s == nil || (s.size == 0 && off != 0) {
					return "", 0
				}
				return s.name, s.addr + m.bias
			}
			if it.opts.ATT {
				text = x86asm.GNUSyntax(inst, pc, sym)
			} else {
				text = x86asm.IntelSyntax(inst, pc, sym)
			}
		}
		var hexb strings.Builder
		for i := off; i < min(off+l, len(code)); i++ {
			if i > off {
				hexb.WriteByte(' ')
			}
			fmt.Fprintf(&hexb, "%02x", code[i])
		}
		where := it.z.locate(t, pc)
		in := insn{line: []byte(fmt.Sprintf("%#012x %-24s %-24s %s\n", pc, where, hexb.String(), text))}
		in.keep, in.start = it.filter(t, pc)
		d.insns = append(d.insns, in)
		off += l
		if it.opts.Regs || len(code) == 0 {
			break
		}
	}
	return d
}

// readSome reads as many of len(b) bytes at addr as are mapped.
func readSome(t observe.CodeTask, addr uint64, b []byte) int {
	if t.CopyIn(addr, b) == nil {
		return len(b)
	}
	for i := range b {
		if t.CopyIn(addr+uint64(i), b[i:i+1]) != nil {
			return i
		}
	}
	return len(b)
}

// filter decides whether the instruction at pc shows, and whether it is
// the start trigger (the first instruction of the start function).
func (it *Itrace) filter(t observe.CodeTask, pc uint64) (keep, start bool) {
	o := &it.opts
	var m *module
	var s *symbol
	var off uint64
	if len(o.Syms) > 0 || o.Start != "" {
		if m = it.z.module(t, pc); m != nil {
			s, off = m.symbol(pc)
		}
	}
	start = o.Start != "" && s != nil && off == 0 && symMatch(o.Start, m, s)
	if len(o.Ranges) == 0 && len(o.Syms) == 0 {
		return true, start
	}
	for _, r := range o.Ranges {
		if pc >= r[0] && pc < r[1] {
			return true, start
		}
	}
	if s != nil {
		for _, spec := range o.Syms {
			if symMatch(spec, m, s) {
				return true, start
			}
		}
	}
	return false, start
}

// symMatch reports whether function s of module m is the one spec names:
// "name", or "lib:name" where lib begins the library's file name or its
// soname (musl's libc is the file ld-musl-x86_64.so.1, whose soname is
// libc.so on Debian and libc.musl-x86_64.so.1 on Alpine).
func symMatch(spec string, m *module, s *symbol) bool {
	lib, name, ok := strings.Cut(spec, ":")
	if !ok {
		return s.name == spec
	}
	return s.name == name && (strings.HasPrefix(m.name, lib) || m.soname != "" && strings.HasPrefix(m.soname, lib))
}

// Close writes out what is buffered: in Regs mode, each task's last
// instruction, whose changes no later step shows.
func (it *Itrace) Close() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	for tid, p := range it.prev {
		if !it.done {
			it.emit(it.pidPrefix(tid), p.in, nil)
		}
	}
	it.prev = map[int32]*prevStep{}
	return it.w.Flush()
}
