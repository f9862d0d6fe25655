package tests

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// symbolAddr returns the address of a function in a guest binary.
func symbolAddr(t *testing.T, bin, name string) uint64 {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("%s has no symbol %s", bin, name)
	return 0
}

// TestProfile profiles the sha256 guest: the compression function comes
// first, as go tool pprof -top shows it.
func TestProfile(t *testing.T) {
	root := guestRoot(t, "static")
	out := filepath.Join(t.TempDir(), "sha256.pb.gz")
	r := paddockWith(t, root, "/tmp", []string{"--profile", out}, "", "/bin/sha256")
	if r.code != 0 {
		t.Fatalf("sha256 under --profile: %v", r)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	best, bestName := int64(0), ""
	for _, s := range p.Sample {
		total += s.Value[0]
		if s.Value[0] > best {
			best, bestName = s.Value[0], s.Location[0].Line[0].Function.Name
		}
	}
	if bestName != "sha256_block" || best < total/2 {
		t.Errorf("busiest function %s with %d of %d instructions", bestName, best, total)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", out).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, top)
	}
	rows := regexp.MustCompile(`(?m)^\s+\d+\s+[\d.]+%.*\s(\S+)$`).FindAllStringSubmatch(string(top), -1)
	if len(rows) == 0 || rows[0][1] != "sha256_block" {
		t.Errorf("pprof -top:\n%s", top)
	}
}

// drcov is a parsed drcov file.
type drcov struct {
	modules []drcovModule
	blocks  []drcovBlock
}

type drcovModule struct {
	base, end uint64
	path      string
}

type drcovBlock struct {
	off  uint32
	size uint16
	mod  uint16
}

// readDrcov parses DynamoRIO's drcov format, version 2, as Lighthouse
// reads it.
func readDrcov(t *testing.T, b []byte) drcov {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	line := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("drcov header: %v", err)
		}
		return strings.TrimSuffix(l, "\n")
	}
	if line() != "DRCOV VERSION: 2" || !strings.HasPrefix(line(), "DRCOV FLAVOR: ") {
		t.Fatal("not a drcov file")
	}
	var n int
	if _, err := fmt.Sscanf(line(), "Module Table: version 2, count %d", &n); err != nil {
		t.Fatal(err)
	}
	if line() != "Columns: id, base, end, entry, checksum, timestamp, path" {
		t.Fatal("drcov columns")
	}
	var d drcov
	for i := 0; i < n; i++ {
		f := strings.SplitN(line(), ", ", 7)
		if len(f) != 7 {
			t.Fatalf("drcov module line %q", f)
		}
		id, _ := strconv.Atoi(strings.TrimSpace(f[0]))
		base, _ := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 64)
		end, _ := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
		if id != i {
			t.Fatalf("module %d has id %d", i, id)
		}
		d.modules = append(d.modules, drcovModule{base, end, f[6]})
	}
	var bbs int
	if _, err := fmt.Sscanf(line(), "BB Table: %d bbs", &bbs); err != nil {
		t.Fatal(err)
	}
	rest := make([]byte, 8*bbs)
	if _, err := io.ReadFull(r, rest); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < bbs; i++ {
		e := rest[8*i:]
		d.blocks = append(d.blocks, drcovBlock{binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint16(e[4:]), binary.LittleEndian.Uint16(e[6:])})
	}
	return d
}

// TestCoverage checks a drcov file of the sha256 guest, static and
// dynamic: the program's module, and a block at the start of main.
func TestCoverage(t *testing.T) {
	for _, kind := range []string{"static", "dynamic"} {
		t.Run(kind, func(t *testing.T) {
			root := guestRoot(t, kind)
			out := filepath.Join(t.TempDir(), "sha256.drcov")
			if r := paddockWith(t, root, "/tmp", []string{"--coverage", out}, "", "/bin/sha256"); r.code != 0 {
				t.Fatalf("sha256 under --coverage: %v", r)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			d := readDrcov(t, b)
			prog := -1
			for i, m := range d.modules {
				if m.path == "/bin/sha256" {
					prog = i
				}
				if m.end <= m.base {
					t.Errorf("module %s: %#x-%#x", m.path, m.base, m.end)
				}
			}
			if prog < 0 || (kind == "dynamic") != (len(d.modules) == 2) {
				t.Fatalf("modules: %+v", d.modules)
			}
			main := symbolAddr(t, filepath.Join(root, "bin", "sha256"), "main")
			if kind == "dynamic" {
				// A PIE: main's link address is its offset from the
				// base, less the first segment's address (0).
				main += d.modules[prog].base
			}
			found := false
			for _, bb := range d.blocks {
				if int(bb.mod) == prog && d.modules[prog].base+uint64(bb.off) == main {
					found = true
				}
				if int(bb.mod) >= len(d.modules) || bb.size == 0 {
					t.Fatalf("bad block %+v", bb)
				}
			}
			if !found {
				t.Errorf("no block starts at main (%#x) among %d", main, len(d.blocks))
			}
		})
	}
}

var itraceLine = regexp.MustCompile(`^\[ *(\d+)\] 0x([0-9a-f]{12}) (\S*) +((?:[0-9a-f]{2} )*[0-9a-f]{2}) +(.+)$`)

// itrace runs the sha256 guest with an instruction trace and returns the
// trace's lines, each checked against the format.
func itrace(t *testing.T, kind string, opts ...string) []string {
	t.Helper()
	root := guestRoot(t, kind)
	out := filepath.Join(t.TempDir(), "itrace")
	if r := paddockWith(t, root, "/tmp", append([]string{"--itrace=" + out}, opts...), "", "/bin/sha256"); r.code != 0 {
		t.Fatalf("sha256 under --itrace: %v", r)
	}
	return readItrace(t, out)
}

// readItrace returns an instruction trace's lines, each checked against
// the format.
func readItrace(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for _, l := range lines {
		if !itraceLine.MatchString(l) {
			t.Fatalf("not an itrace line: %q", l)
		}
	}
	return lines
}

func TestItrace(t *testing.T) {
	lines := itrace(t, "static", "--itrace-start", "main", "--itrace-limit", "200")
	if len(lines) != 200 || itraceLine.FindStringSubmatch(lines[0])[3] != "main" {
		t.Errorf("%d lines from %q", len(lines), lines[0])
	}
	lines = itrace(t, "static", "--itrace-sym", "sha256_block", "--itrace-limit", "5000")
	for _, l := range lines {
		if !strings.HasPrefix(itraceLine.FindStringSubmatch(l)[3], "sha256_block") {
			t.Fatalf("outside sha256_block: %s", l)
		}
	}
	if len(lines) != 5000 {
		t.Errorf("%d lines", len(lines))
	}
	lines = itrace(t, "static", "--itrace-start", "main", "--itrace-limit", "5", "--itrace-att")
	if !strings.Contains(strings.Join(lines, "\n"), "%r") {
		t.Errorf("no AT&T registers in:\n%s", strings.Join(lines, "\n"))
	}
	// main starts by pushing: each push changes rsp.
	lines = itrace(t, "static", "--itrace-start", "main", "--itrace-limit", "3", "--itrace-regs")
	if !strings.Contains(lines[0], "push") || !strings.Contains(lines[0], " rsp=0x7") {
		t.Errorf("registers: %s", strings.Join(lines, "\n"))
	}
	// A library function, by the name of the file it lives in.
	lines = itrace(t, "dynamic", "--itrace-sym", "ld-musl:memcpy", "--itrace-limit", "100")
	if len(lines) != 100 || !strings.HasPrefix(itraceLine.FindStringSubmatch(lines[0])[3], "ld-musl-x86_64.so.1:memcpy") {
		t.Errorf("%d lines from %q", len(lines), lines[0])
	}
}

// TestItraceAlpine traces a function of Alpine's musl by its soname,
// libc.musl-x86_64.so.1 (the file is ld-musl-x86_64.so.1).
func TestItraceAlpine(t *testing.T) {
	tarball := alpineTarball(t)
	out := filepath.Join(t.TempDir(), "itrace")
	r := paddockWith(t, tarball, "/", []string{"--itrace=" + out, "--itrace-sym", "libc.musl:strlen", "--itrace-limit", "50"}, "", "/bin/echo", "hello")
	if r.code != 0 || r.stdout != "hello\n" {
		t.Fatalf("echo under --itrace: %v", r)
	}
	lines := readItrace(t, out)
	for _, l := range lines {
		if !strings.HasPrefix(itraceLine.FindStringSubmatch(l)[3], "ld-musl-x86_64.so.1:strlen") {
			t.Fatalf("not in musl's strlen: %q", l)
		}
	}
	if len(lines) != 50 {
		t.Errorf("%d lines", len(lines))
	}
}
