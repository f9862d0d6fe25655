// Package gdb is a gdb remote serial protocol stub for paddock's first
// process: gdb connects with `target remote`, and reads and writes
// registers and memory, sets breakpoints, steps, continues and
// interrupts, lists threads and finds the program and its shared
// libraries (qXfer auxv, exec-file and libraries-svr4, and vFile to read
// the guest's files).
package gdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/kernel/observe"
)

// Stub serves one gdb connection. It implements observe.Debugger.
type Stub struct {
	ln net.Listener
	// Interrupt is called when gdb asks to stop the running process
	// (Ctrl-C): it should send the process SIGINT, which stops it.
	Interrupt func()
	// Kill ends the process (gdb's kill).
	Kill func()

	stops  chan *stop
	exits  chan exit
	served chan struct{} // closed when Serve returns
	mu     sync.Mutex
	gone   bool // detached, or the connection was lost: stops return at once
	conn   net.Conn
	w      *bufio.Writer
	noAck  bool
	bps    []uint64
	pass   map[int]bool // Linux signals passed without stopping (QPassSignals)
	thread int32        // the thread 'g' and 'p' read (Hg)
	step   bool         // the last resume was a step
	files  map[int][]byte
	nextFD int
}

// exit is the end of the process, for gdb: a W or X stop reply, and a
// channel closed once it is sent.
type exit struct {
	reply string
	sent  chan struct{}
}

// stop is a task stopped for the debugger.
type stop struct {
	t      observe.DebugTask
	sig    abi.Signal
	exec   bool // it has just run a new program
	resume chan abi.Signal
}

// Listen starts listening for gdb at addr (":1234").
func Listen(addr string) (*Stub, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Stub{ln: ln, stops: make(chan *stop), exits: make(chan exit), served: make(chan struct{}),
		pass: map[int]bool{}, files: map[int][]byte{}}, nil
}

// Addr is where the stub listens.
func (s *Stub) Addr() net.Addr { return s.ln.Addr() }

// Stop implements observe.Debugger.
func (s *Stub) Stop(t observe.DebugTask, sig abi.Signal) abi.Signal {
	s.mu.Lock()
	skip := s.gone || (sig != abi.SIGTRAP && s.pass[int(sig)])
	s.mu.Unlock()
	if skip {
		return sig
	}
	st := &stop{t: t, sig: sig, resume: make(chan abi.Signal)}
	s.stops <- st
	return <-st.resume
}

// Exec implements observe.Debugger: gdb hears of the new program (an exec
// stop) and loads it; the old program's breakpoints are gone with its
// engine, and gdb inserts its own again.
func (s *Stub) Exec(t observe.DebugTask) {
	s.mu.Lock()
	gone := s.gone
	s.mu.Unlock()
	if gone {
		return
	}
	st := &stop{t: t, sig: abi.SIGTRAP, exec: true, resume: make(chan abi.Signal)}
	s.stops <- st
	<-st.resume
}

// Exited implements observe.Debugger. It returns once gdb has been told,
// so that paddock does not end before the news is sent.
func (s *Stub) Exited(exited bool, code int, sig abi.Signal) {
	x := exit{reply: fmt.Sprintf("X%02x", gdbSignal(int(sig))), sent: make(chan struct{})}
	if exited {
		x.reply = fmt.Sprintf("W%02x", code)
	}
	select {
	case s.exits <- x:
		<-x.sent
	case <-s.served:
	}
}

// Wait returns when Serve has: after the process has ended, once gdb has
// been told.
func (s *Stub) Wait() { <-s.served }

// Serve accepts gdb's connection and serves it until gdb detaches or
// kills the process, or the process ends. The process waits at its first
// instruction until gdb lets it run.
func (s *Stub) Serve() error {
	defer close(s.served)
	conn, err := s.ln.Accept()
	s.ln.Close()
	if err != nil {
		s.release()
		return err
	}
	s.conn, s.w = conn, bufio.NewWriter(conn)
	defer conn.Close()
	packets := make(chan string)
	go s.read(bufio.NewReader(conn), packets)
	var cur *stop
	waiting := false // gdb waits for a stop reply
	// held are packets that came while the process ran: gdb's first
	// requests can come before the process has reached its first
	// instruction, and are answered once it has stopped there.
	var held []string
	for {
		if cur == nil {
			select {
			case cur = <-s.stops:
				s.thread = cur.t.TID()
				if cur.exec {
					s.bps = nil
					s.files = map[int][]byte{}
				}
				if waiting {
					s.send(s.stopReply(cur))
					waiting = false
				}
			case x := <-s.exits:
				s.send(x.reply)
				close(x.sent)
				s.release()
				return nil
			case p, ok := <-packets:
				switch {
				case !ok:
					s.release()
					return nil
				case p == "\x03" && s.Interrupt != nil:
					s.Interrupt()
				case p != "\x03":
					held = append(held, p)
				}
			}
			continue
		}
		var p string
		if len(held) > 0 {
			p, held = held[0], held[1:]
		} else {
			var ok bool
			if p, ok = <-packets; !ok {
				s.release()
				cur.resume <- cur.sig
				return nil
			}
		}
		if p == "\x03" {
			continue
		}
		reply, resume, sig := s.handle(cur, p)
		if resume {
			if sig == -1 {
				// Detach or kill: no reply awaited.
				if reply != "" {
					s.send(reply)
				}
				cur.resume <- 0
				return nil
			}
			cur.resume <- abi.Signal(sig)
			cur = nil
			waiting = true
			continue
		}
		s.send(reply)
	}
}

// release lets the process run on without a debugger.
func (s *Stub) release() {
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
	// A stop already on its way is let go.
	go func() {
		for st := range s.stops {
			st.resume <- st.sig
		}
	}()
}

// read splits gdb's byte stream into packets (and Ctrl-C, as "\x03"),
// acknowledging each until no-ack mode.
func (s *Stub) read(r *bufio.Reader, out chan<- string) {
	defer close(out)
	for {
		c, err := r.ReadByte()
		if err != nil {
			return
		}
		switch c {
		case 0x03:
			out <- "\x03"
			continue
		case '$':
		default:
			continue // acks, and noise
		}
		data, err := r.ReadBytes('#')
		if err != nil {
			return
		}
		sum := make([]byte, 2)
		if _, err := io.ReadFull(r, sum); err != nil {
			return
		}
		s.mu.Lock()
		if !s.noAck {
			s.conn.Write([]byte{'+'})
		}
		s.mu.Unlock()
		out <- string(unescape(data[:len(data)-1]))
	}
}

// unescape undoes the binary escape ('}' then the byte xor 0x20).
func unescape(b []byte) []byte {
	if !bytes.Contains(b, []byte{'}'}) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '}' && i+1 < len(b) {
			i++
			out = append(out, b[i]^0x20)
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// escape applies the binary escape to data sent raw.
func escape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case '#', '$', '}', '*':
			out = append(out, '}', c^0x20)
		default:
			out = append(out, c)
		}
	}
	return out
}

// send writes one packet.
func (s *Stub) send(data string) {
	var sum byte
	for i := 0; i < len(data); i++ {
		sum += data[i]
	}
	fmt.Fprintf(s.w, "$%s#%02x", data, sum)
	s.w.Flush()
}

// stopReply describes a stop: the signal, the thread, and whether a
// breakpoint (rather than a step) stopped it.
func (s *Stub) stopReply(st *stop) string {
	r := fmt.Sprintf("T%02xthread:%x;", gdbSignal(int(st.sig)), st.t.TID())
	if st.exec {
		return r + "exec:" + hex.EncodeToString([]byte(st.t.ExePath())) + ";"
	}
	if st.sig == abi.SIGTRAP && !s.step {
		pc := st.t.Engine().PC()
		for _, b := range s.bps {
			if b == pc {
				r += "swbreak:;"
			}
		}
	}
	return r
}

// handle answers one packet while the process is stopped. resume says the
// process goes on (with signal sig; -1 for a detach or kill).
func (s *Stub) handle(cur *stop, p string) (reply string, resume bool, sig int) {
	t := cur.t
	e := t.Engine()
	switch {
	case p == "?":
		return s.stopReply(cur), false, 0
	case strings.HasPrefix(p, "qSupported"):
		return "PacketSize=4000;qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;" +
			"qXfer:libraries-svr4:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+;QPassSignals+;exec-events+", false, 0
	case p == "QStartNoAckMode":
		s.mu.Lock()
		s.noAck = true
		s.mu.Unlock()
		return "OK", false, 0
	case strings.HasPrefix(p, "QPassSignals:"):
		s.mu.Lock()
		s.pass = map[int]bool{}
		for _, h := range strings.Split(p[len("QPassSignals:"):], ";") {
			if n, err := strconv.ParseUint(h, 16, 8); err == nil {
				if l := linuxSignal(int(n)); l != 0 {
					s.pass[l] = true
				}
			}
		}
		s.mu.Unlock()
		return "OK", false, 0
	case p == "qAttached":
		return "1", false, 0
	case p == "qC":
		return fmt.Sprintf("QC%x", t.TID()), false, 0
	case p == "qfThreadInfo":
		var ids []string
		for _, tid := range t.Threads() {
			ids = append(ids, strconv.FormatInt(int64(tid), 16))
		}
		return "m" + strings.Join(ids, ","), false, 0
	case p == "qsThreadInfo":
		return "l", false, 0
	case strings.HasPrefix(p, "H"):
		if len(p) > 2 && p[1] == 'g' {
			if n, err := strconv.ParseInt(p[2:], 16, 32); err == nil && n > 0 {
				s.thread = int32(n)
			} else {
				s.thread = t.TID()
			}
		}
		return "OK", false, 0
	case strings.HasPrefix(p, "T"):
		n, _ := strconv.ParseInt(p[1:], 16, 32)
		for _, tid := range t.Threads() {
			if tid == int32(n) {
				return "OK", false, 0
			}
		}
		return "E01", false, 0
	case p == "g":
		b, fp := s.readRegs(t)
		return encodeRegs(b, fp, 0, numRegs), false, 0
	case strings.HasPrefix(p, "G"):
		b, err := hex.DecodeString(p[1:])
		if err != nil {
			return "E01", false, 0
		}
		return s.writeRegs(t, b), false, 0
	case strings.HasPrefix(p, "p"):
		n, err := strconv.ParseUint(p[1:], 16, 32)
		if err != nil || n >= numRegs {
			return "E01", false, 0
		}
		b, fp := s.readRegs(t)
		return encodeRegs(b, fp, int(n), int(n)+1), false, 0
	case strings.HasPrefix(p, "P"):
		return s.writeReg(t, p[1:]), false, 0
	case strings.HasPrefix(p, "m"):
		return readMem(t, p[1:]), false, 0
	case strings.HasPrefix(p, "M"):
		return writeMem(t, p[1:]), false, 0
	case strings.HasPrefix(p, "Z0,") || strings.HasPrefix(p, "Z1,"), strings.HasPrefix(p, "z0,") || strings.HasPrefix(p, "z1,"):
		return s.breakpoint(e, p), false, 0
	case strings.HasPrefix(p, "qXfer:features:read:target.xml:"):
		return xfer([]byte(targetXML), p[len("qXfer:features:read:target.xml:"):]), false, 0
	case strings.HasPrefix(p, "qXfer:auxv:read::"):
		return xfer(t.Auxv(), p[len("qXfer:auxv:read::"):]), false, 0
	case strings.HasPrefix(p, "qXfer:exec-file:read:"):
		rest := p[len("qXfer:exec-file:read:"):]
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			rest = rest[i+1:]
		}
		return xfer([]byte(t.ExePath()), rest), false, 0
	case strings.HasPrefix(p, "qXfer:libraries-svr4:read::"):
		return xfer([]byte(librariesSVR4(t)), p[len("qXfer:libraries-svr4:read::"):]), false, 0
	case strings.HasPrefix(p, "vFile:"):
		return s.vfile(t, p[len("vFile:"):]), false, 0
	case p == "vCont?":
		return "vCont;c;C;s;S", false, 0
	case strings.HasPrefix(p, "vCont;"):
		return s.vcont(cur, p[len("vCont;"):])
	case p == "c" || strings.HasPrefix(p, "c"):
		return s.resume(cur, false, 0)
	case p == "s" || strings.HasPrefix(p, "s"):
		return s.resume(cur, true, 0)
	case strings.HasPrefix(p, "C"), strings.HasPrefix(p, "S"):
		g, _ := strconv.ParseUint(strings.SplitN(p[1:], ";", 2)[0], 16, 8)
		return s.resume(cur, p[0] == 'S', linuxSignal(int(g)))
	case p == "D" || strings.HasPrefix(p, "D;"):
		s.bps = nil
		e.SetBreakpoints(nil)
		s.mu.Lock()
		s.gone = true
		s.mu.Unlock()
		return "OK", true, -1
	case p == "k" || strings.HasPrefix(p, "vKill"):
		s.mu.Lock()
		s.gone = true
		s.mu.Unlock()
		if s.Kill != nil {
			s.Kill()
		}
		if p == "k" {
			return "", true, -1
		}
		return "OK", true, -1
	}
	return "", false, 0
}

// resume lets the process go on, one instruction or until it stops.
func (s *Stub) resume(cur *stop, step bool, sig int) (string, bool, int) {
	e := cur.t.Engine()
	s.step = step
	if step {
		e.Step()
	}
	// A thread standing on a breakpoint runs its instruction first.
	e.PassBreakpoint(e.PC())
	if sig == 0 && cur.sig != abi.SIGTRAP {
		// Continuing without a signal after a signal stop drops it, as
		// gdb's "signal 0" does.
		return "", true, 0
	}
	return "", true, sig
}

// vcont handles vCont actions: the first that applies to the stopped
// thread (or to all) decides; the other threads share its engine and go
// on when it does.
func (s *Stub) vcont(cur *stop, actions string) (string, bool, int) {
	for _, a := range strings.Split(actions, ";") {
		act, thread, _ := strings.Cut(a, ":")
		if act == "" {
			continue
		}
		if thread != "" && thread != "-1" {
			if n, err := strconv.ParseInt(thread, 16, 32); err == nil && int32(n) != cur.t.TID() {
				continue
			}
		}
		switch act[0] {
		case 'c':
			return s.resume(cur, false, 0)
		case 's':
			return s.resume(cur, true, 0)
		case 'C', 'S':
			g, _ := strconv.ParseUint(act[1:], 16, 8)
			return s.resume(cur, act[0] == 'S', linuxSignal(int(g)))
		}
	}
	return "E01", false, 0
}

// breakpoint inserts or removes a breakpoint (Z0/Z1, z0/z1).
func (s *Stub) breakpoint(e cpu.Engine, p string) string {
	f := strings.Split(p[3:], ",")
	addr, err := strconv.ParseUint(f[0], 16, 64)
	if err != nil {
		return "E01"
	}
	i := sort.Search(len(s.bps), func(i int) bool { return s.bps[i] >= addr })
	has := i < len(s.bps) && s.bps[i] == addr
	if p[0] == 'Z' {
		if !has {
			if len(s.bps) == cpu.MaxBreakpoints {
				return "E28"
			}
			s.bps = append(s.bps[:i], append([]uint64{addr}, s.bps[i:]...)...)
		}
	} else if has {
		s.bps = append(s.bps[:i], s.bps[i+1:]...)
	}
	e.SetBreakpoints(s.bps)
	return "OK"
}

// regOffset is where register n starts in the 'g' packet.
func regOffset(n int) int {
	off := 0
	for i := 0; i < n; i++ {
		off += regSize(i)
	}
	return off
}

// readRegs returns the selected thread's registers in the 'g' layout.
// Another thread's floating point and vector registers are not at hand
// (its saved context holds them, but not in a form the stub reads): they
// read as unavailable.
func (s *Stub) readRegs(t observe.DebugTask) (b []byte, fp bool) {
	var r cpu.Regs
	current := s.thread == 0 || s.thread == t.TID()
	if current {
		t.Engine().Regs(&r)
	} else if !t.ThreadRegs(s.thread, &r) {
		t.Engine().Regs(&r)
		current = true
	}
	b = make([]byte, regOffset(numRegs))
	le := binary.LittleEndian
	gprs := []uint64{r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP, r.RSP, r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15}
	for i, v := range gprs {
		le.PutUint64(b[8*i:], v)
	}
	le.PutUint64(b[regOffset(regRIP):], r.RIP)
	le.PutUint32(b[regOffset(regEFLAGS):], uint32(r.RFLAGS))
	// Linux's 64-bit user segments: cs 0x33, ss 0x2b, the others 0.
	le.PutUint32(b[regOffset(regCS):], 0x33)
	le.PutUint32(b[regOffset(regCS+1):], 0x2b)
	le.PutUint64(b[regOffset(regOrigAX):], ^uint64(0))
	le.PutUint64(b[regOffset(regFSBase):], r.FSBase)
	le.PutUint64(b[regOffset(regGSBase):], r.GSBase)
	if !current {
		return b, false
	}
	fx := t.Engine().FXSave()
	for i := 0; i < 8; i++ {
		copy(b[regOffset(regST0+i):], fx[32+16*i:32+16*i+10])
	}
	fcw, fsw := le.Uint16(fx[0:]), le.Uint16(fx[2:])
	// The full tag word from FXSAVE's abridged one: 11 for an empty
	// register, 00 (valid) otherwise.
	var ftag uint32
	for i := 0; i < 8; i++ {
		if fx[4]&(1<<i) == 0 {
			ftag |= 3 << (2 * i)
		}
	}
	fip, fdp := le.Uint64(fx[8:]), le.Uint64(fx[16:])
	for i, v := range []uint32{uint32(fcw), uint32(fsw), ftag, uint32(fip >> 32), uint32(fip), uint32(fdp >> 32), uint32(fdp), uint32(le.Uint16(fx[6:]))} {
		le.PutUint32(b[regOffset(regFCTRL+i):], v)
	}
	for i := 0; i < 16; i++ {
		copy(b[regOffset(regXMM0+i):], fx[160+16*i:176+16*i])
	}
	copy(b[regOffset(regMXCSR):], fx[24:28])
	return b, true
}

// encodeRegs hex-encodes registers from..to-1 of a 'g' image; without fp,
// the x87 and SSE registers are "xx", gdb's unavailable.
func encodeRegs(b []byte, fp bool, from, to int) string {
	var out strings.Builder
	for n := from; n < to; n++ {
		off, size := regOffset(n), regSize(n)
		if !fp && n >= regST0 && n <= regMXCSR {
			out.WriteString(strings.Repeat("xx", size))
			continue
		}
		out.WriteString(hex.EncodeToString(b[off : off+size]))
	}
	return out.String()
}

// writeRegs sets the current thread's registers from a 'G' packet.
func (s *Stub) writeRegs(t observe.DebugTask, b []byte) string {
	if len(b) < regOffset(regST0) || (s.thread != 0 && s.thread != t.TID()) {
		return "E01"
	}
	le := binary.LittleEndian
	var r cpu.Regs
	e := t.Engine()
	e.Regs(&r)
	v := make([]uint64, 16)
	for i := range v {
		v[i] = le.Uint64(b[8*i:])
	}
	r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP, r.RSP = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 = v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
	r.RIP = le.Uint64(b[regOffset(regRIP):])
	r.RFLAGS = uint64(le.Uint32(b[regOffset(regEFLAGS):]))
	if len(b) >= regOffset(numRegs) {
		r.FSBase = le.Uint64(b[regOffset(regFSBase):])
		r.GSBase = le.Uint64(b[regOffset(regGSBase):])
		fx := e.FXSave()
		for i := 0; i < 16; i++ {
			copy(fx[160+16*i:176+16*i], b[regOffset(regXMM0+i):])
		}
		for i := 0; i < 8; i++ {
			copy(fx[32+16*i:32+16*i+10], b[regOffset(regST0+i):])
		}
		copy(fx[24:28], b[regOffset(regMXCSR):])
		e.FXRstor(fx)
	}
	e.SetRegs(&r)
	return "OK"
}

// writeReg sets one register from a 'P' packet: n=value.
func (s *Stub) writeReg(t observe.DebugTask, arg string) string {
	ns, vs, ok := strings.Cut(arg, "=")
	n, err := strconv.ParseUint(ns, 16, 32)
	val, err2 := hex.DecodeString(vs)
	if !ok || err != nil || err2 != nil || n >= numRegs || len(val) != regSize(int(n)) {
		return "E01"
	}
	if n == regOrigAX || (n >= regCS && n < regST0) {
		// orig_rax and the segment selectors are fixed here; gdb writes
		// them back as it read them.
		return "OK"
	}
	all, _ := s.readRegs(t)
	copy(all[regOffset(int(n)):], val)
	return s.writeRegs(t, all)
}

// readMem answers 'm addr,len' with what is readable from addr on.
func readMem(t observe.DebugTask, arg string) string {
	as, ls, _ := strings.Cut(arg, ",")
	addr, err := strconv.ParseUint(as, 16, 64)
	n, err2 := strconv.ParseUint(ls, 16, 32)
	if err != nil || err2 != nil {
		return "E01"
	}
	b := make([]byte, min(n, 0x2000))
	if t.CopyIn(addr, b) == nil {
		return hex.EncodeToString(b)
	}
	// Up to the first unreadable byte.
	i := 0
	for ; i < len(b); i++ {
		if t.CopyIn(addr+uint64(i), b[i:i+1]) != nil {
			break
		}
	}
	if i == 0 {
		return "E0e"
	}
	return hex.EncodeToString(b[:i])
}

// writeMem handles 'M addr,len:bytes'.
func writeMem(t observe.DebugTask, arg string) string {
	head, data, ok := strings.Cut(arg, ":")
	as, _, _ := strings.Cut(head, ",")
	addr, err := strconv.ParseUint(as, 16, 64)
	b, err2 := hex.DecodeString(data)
	if !ok || err != nil || err2 != nil {
		return "E01"
	}
	if t.CopyOut(addr, b) != nil {
		return "E0e"
	}
	return "OK"
}

// xfer answers a qXfer read of data at "offset,length".
func xfer(data []byte, arg string) string {
	os, ls, _ := strings.Cut(arg, ",")
	off, err := strconv.ParseUint(os, 16, 64)
	n, err2 := strconv.ParseUint(ls, 16, 64)
	if err != nil || err2 != nil {
		return "E01"
	}
	if off >= uint64(len(data)) {
		return "l"
	}
	end := min(off+n, uint64(len(data)))
	kind := "m"
	if end == uint64(len(data)) {
		kind = "l"
	}
	return kind + string(escape(data[off:end]))
}

// vfile serves gdb's host I/O on the guest's files, read-only, so that gdb
// needs no copy of the program or its libraries.
func (s *Stub) vfile(t observe.DebugTask, p string) string {
	op, args, _ := strings.Cut(p, ":")
	f := strings.Split(args, ",")
	num := func(i int) int64 {
		if i >= len(f) {
			return 0
		}
		n, _ := strconv.ParseInt(f[i], 16, 64)
		return n
	}
	switch op {
	case "setfs":
		return "F0"
	case "open":
		path, err := hex.DecodeString(f[0])
		if err != nil {
			return "F-1,16"
		}
		if num(1)&3 != 0 {
			return "F-1,d" // EACCES: read-only
		}
		data, err := t.ReadFile(string(path))
		if err != nil {
			return "F-1,2" // ENOENT
		}
		s.nextFD++
		s.files[s.nextFD] = data
		return fmt.Sprintf("F%x", s.nextFD)
	case "pread":
		data, ok := s.files[int(num(0))]
		if !ok {
			return "F-1,9"
		}
		off, n := num(2), num(1)
		if off >= int64(len(data)) {
			return "F0;"
		}
		end := min(off+n, int64(len(data)))
		return fmt.Sprintf("F%x;", end-off) + string(escape(data[off:end]))
	case "fstat":
		data, ok := s.files[int(num(0))]
		if !ok {
			return "F-1,9"
		}
		// gdb's struct stat for host I/O: big-endian, st_size at 28.
		st := make([]byte, 64)
		binary.BigEndian.PutUint32(st[8:], abi.S_IFREG|0o644)
		binary.BigEndian.PutUint32(st[12:], 1)
		binary.BigEndian.PutUint64(st[28:], uint64(len(data)))
		binary.BigEndian.PutUint64(st[36:], 4096)
		binary.BigEndian.PutUint64(st[44:], uint64(len(data)+511)/512)
		return "F40;" + string(escape(st))
	case "close":
		delete(s.files, int(num(0)))
		return "F0"
	}
	return ""
}
