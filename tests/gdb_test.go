package tests

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// freePort returns a TCP address on loopback no one listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// gdbSession runs a guest under paddock --gdb and Debian's gdb in batch
// mode against it, and returns gdb's output and paddock's result.
func gdbSession(t *testing.T, kind, prog string, commands ...string) (string, result) {
	t.Helper()
	gdbPath, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb is not installed")
	}
	root := guestRoot(t, kind)
	addr := freePort(t)
	done := make(chan result, 1)
	go func() {
		done <- paddockWith(t, root, "/tmp", []string{"--gdb", addr}, "", "/bin/"+prog)
	}()
	args := []string{"-batch", "-nx", "-ex", "set pagination off", "-ex", "set confirm off",
		"-ex", "target remote " + addr}
	for _, c := range commands {
		args = append(args, "-ex", c)
	}
	// paddock listens before it starts the guest: until then, gdb's
	// connection is refused.
	var out []byte
	for i := 0; i < 100; i++ {
		cmd := exec.Command(gdbPath, args...)
		cmd.Dir = t.TempDir()
		out, err = cmd.CombinedOutput()
		if !strings.Contains(string(out), "Connection refused") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	select {
	case r := <-done:
		return string(out), r
	case <-time.After(60 * time.Second):
		t.Fatalf("paddock did not end after gdb; gdb said:\n%s", out)
	}
	return "", result{}
}

// expect checks that each pattern matches gdb's output, in order.
func expect(t *testing.T, out string, patterns ...string) {
	t.Helper()
	rest := out
	for _, p := range patterns {
		loc := regexp.MustCompile(p).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("gdb's output lacks %q after what matched before; it was:\n%s", p, out)
		}
		rest = rest[loc[1]:]
	}
}

// TestGDB drives a dynamic musl program: gdb reads the program and musl
// from the guest, stops at main, walks the stack, reads registers and
// memory, steps, finishes a function and stops inside the C library.
func TestGDB(t *testing.T) {
	out, r := gdbSession(t, "dynamic", "sha256",
		"break main", "continue", "maint packet qXfer:libraries-svr4:read::0,fff", "bt", "info registers rip",
		"break sha256_update", "continue", "x/s p", "bt",
		"stepi", "info registers rip", "finish", "delete 2",
		"break memcpy", "continue", "bt 2", "info sharedlibrary",
		"delete", "continue")
	expect(t, out,
		`Breakpoint 1, main \(\) at .*sha256\.c`,
		// The loader's list, from musl's r_debug.
		`<library name="/lib/ld-musl-x86_64.so.1" lm="0x[0-9a-f]+" l_addr="0x[0-9a-f]+" l_ld="0x[0-9a-f]+"`,
		`#0  main \(\)`,
		`rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main`,
		`Breakpoint 2, sha256_update \(`,
		`"abc"`,
		`#1  0x[0-9a-f]+ in main \(\)`,
		`rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <sha256_update\+\d+>`,
		`(?m)^main \(\) at .*sha256\.c:\d+`,
		`Breakpoint 3, 0x[0-9a-f]+ in memcpy \(\) from target:/lib/ld-musl-x86_64.so.1`,
		`#1  0x[0-9a-f]+ in sha256_update`,
		`target:/lib/ld-musl-x86_64.so.1`,
		`exited normally`)
	if r.code != 0 || !strings.Contains(r.stdout, "  data") {
		t.Errorf("the program did not finish: %v", r)
	}
}

// TestGDBStatic checks a static program: its threads, and kill.
func TestGDBStatic(t *testing.T) {
	out, r := gdbSession(t, "static", "sha256", "break sha256_block", "continue", "info threads", "print/x $rsp", "kill")
	expect(t, out, `Breakpoint 1, sha256_block`, `\* 1\s+Thread 0x[0-9a-f]+|\* 1\s+Thread \d+`, `\$1 = 0x7`)
	if r.code != 128+9 {
		t.Errorf("kill: %v", r)
	}
}

// rsp is a minimal gdb remote protocol client.
type rsp struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func (c *rsp) send(p string) {
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	fmt.Fprintf(c.c, "$%s#%02x", p, sum)
}

// recv returns the next packet, acknowledging it.
func (c *rsp) recv() string {
	c.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			c.t.Fatalf("reading from the stub: %v", err)
		}
		if b != '$' {
			continue
		}
		p, err := c.r.ReadString('#')
		if err != nil {
			c.t.Fatal(err)
		}
		c.r.Discard(2)
		c.c.Write([]byte{'+'})
		return strings.TrimSuffix(p, "#")
	}
}

// TestGDBInterrupt speaks the protocol directly: Ctrl-C stops a program
// blocked in a sleep with SIGINT, the registers read in full, and kill
// ends it.
func TestGDBInterrupt(t *testing.T) {
	root := busyboxRoot(t)
	addr := freePort(t)
	done := make(chan result, 1)
	go func() { done <- paddockWith(t, root, "/", []string{"--gdb", addr}, "", "/bin/busybox", "sleep", "30") }()
	var conn net.Conn
	for i := 0; ; i++ {
		var err error
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if i == 200 {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer conn.Close()
	c := &rsp{t, conn, bufio.NewReader(conn)}
	c.send("?")
	if r := c.recv(); !strings.HasPrefix(r, "T05thread:") {
		t.Fatalf("first stop: %q", r)
	}
	c.send("vCont;c")
	time.Sleep(300 * time.Millisecond)
	conn.Write([]byte{0x03})
	if r := c.recv(); !strings.HasPrefix(r, "T02thread:") {
		t.Fatalf("after Ctrl-C: %q", r)
	}
	c.send("g")
	if r := c.recv(); len(r) != 2*560 {
		t.Errorf("g: %d hex digits", len(r))
	}
	// Malformed requests get an error or an empty reply, and the stub
	// goes on.
	for _, p := range []string{"m", "mzz,1", "m0,8", "p999", "pzz", "G00", "Pzz", "M0,1:zz", "Z0,", "z0,zz",
		"vCont;", "vCont;x", "qXfer:features:read:target.xml:", "qXfer:auxv:read::zz", "vFile:pread:99,10,0",
		"vFile:open:zz,0,0", "Hgzz", "Tzz", "bogus", ""} {
		c.send(p)
		if r := c.recv(); r != "" && r[0] != 'E' && r[0] != 'F' && r != "OK" && r != "l" {
			t.Errorf("%q: %q", p, r)
		}
	}
	c.send("?")
	if r := c.recv(); !strings.HasPrefix(r, "T") {
		t.Errorf("after the bad requests: %q", r)
	}
	c.send("k")
	select {
	case r := <-done:
		if r.code != 128+9 {
			t.Errorf("killed: %v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("paddock goes on after kill")
	}
}

// TestGDBExec follows the debugged process into the program it executes:
// gdb hears of the exec, reads the new program, and stops at a breakpoint
// in it (exec.c runs itself again as "child").
func TestGDBExec(t *testing.T) {
	out, r := gdbSession(t, "static", "exec", "break child", "continue", "bt 1", "continue")
	expect(t, out, `executing new program: /bin/exec`, `Breakpoint 1, child \(argc=`, `#0  child`, `exited with code 052`)
	if r.code != 42 {
		t.Errorf("exec's child: %v", r)
	}
}
