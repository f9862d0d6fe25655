// Command flaky finds tests that do not pass every time: it runs go test
// on the given packages several times with busy loops beside it, and
// prints how often each test failed, with the output of its first
// failure. `make flaky` runs it over the whole suite (N=5 runs); RUN=
// picks tests as go test's -run does.
//
//	go run ./scripts/flaky -n 10 -run 'TestShellScripts/fifo' ./tests
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// event is one line of go test -json (test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// tally is what the runs said of one test, or of a package: a package
// that fails with none of its tests failing died as a whole (a panic, a
// timeout).
type tally struct {
	runs, fails int
	first       []string // output of the first failing run
}

func main() {
	n := flag.Int("n", 5, "how many times to run the tests")
	pattern := flag.String("run", "", "run only the tests matching `REGEXP` (go test -run)")
	hogs := flag.Int("hogs", 1, "busy loops to run beside the tests")
	timeout := flag.String("timeout", "25m", "go test's -timeout for each run")
	keep := flag.String("o", filepath.Join("build", "flaky"), "`DIR` to keep each run's go test -json output in")
	flag.Parse()
	pkgs := flag.Args()
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	if err := os.MkdirAll(*keep, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "flaky:", err)
		os.Exit(2)
	}
	var stop atomic.Bool
	for i := 0; i < *hogs; i++ {
		go func() {
			runtime.LockOSThread()
			for x := 0; !stop.Load(); x++ {
			}
		}()
	}
	tallies := map[string]*tally{}
	for i := 1; i <= *n; i++ {
		start := time.Now()
		log := filepath.Join(*keep, fmt.Sprintf("run-%d.json", i))
		failed, err := runOnce(pkgs, *pattern, *timeout, log, tallies)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flaky:", err)
			os.Exit(2)
		}
		fmt.Printf("run %d of %d: %d failed, %v (%s)\n", i, *n, failed, time.Since(start).Round(time.Second), log)
	}
	stop.Store(true)
	os.Exit(report(os.Stdout, tallies, *n))
}

// runOnce runs go test once, keeping its output in log, and adds what it
// says to tallies; it returns how many tests failed.
func runOnce(pkgs []string, pattern, timeout, log string, tallies map[string]*tally) (int, error) {
	args := []string{"test", "-tags", "static", "-count=1", "-json", "-timeout", timeout}
	if pattern != "" {
		args = append(args, "-run", pattern)
	}
	cmd := exec.Command("go", append(args, pkgs...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	f, err := os.Create(log)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	output := map[string][]string{}
	failed := 0
	sc := bufio.NewScanner(io.TeeReader(out, f))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		name := e.Package
		if e.Test != "" {
			name += " " + e.Test
		}
		switch e.Action {
		case "output":
			output[name] = append(output[name], e.Output)
		case "pass", "fail":
			t := tallies[name]
			if t == nil {
				t = &tally{}
				tallies[name] = t
			}
			t.runs++
			if e.Action == "fail" {
				t.fails++
				failed++
				if t.first == nil {
					t.first = output[name]
				}
			}
		}
	}
	// go test exits non-zero when a test fails: the events said so.
	cmd.Wait()
	return failed, sc.Err()
}

// report prints the tests that failed at least once, most often first;
// a test whose subtest failed is left out when the subtest is listed. It
// returns the exit status: 1 if anything failed.
func report(w io.Writer, tallies map[string]*tally, n int) int {
	var names []string
	for name, t := range tallies {
		if t.fails > 0 {
			names = append(names, name)
		}
	}
	var leaves []string
	for _, name := range names {
		parent := false
		for _, other := range names {
			// A package fails with its tests, a test with its subtests.
			if strings.HasPrefix(other, name+"/") || strings.HasPrefix(other, name+" ") {
				parent = true
			}
		}
		if !parent {
			leaves = append(leaves, name)
		}
	}
	sort.Slice(leaves, func(i, j int) bool {
		a, b := tallies[leaves[i]], tallies[leaves[j]]
		if a.fails != b.fails {
			return a.fails > b.fails
		}
		return leaves[i] < leaves[j]
	})
	fmt.Fprintf(w, "\n%d tests and packages seen in %d runs; %d failed at least once\n", len(tallies), n, len(leaves))
	for _, name := range leaves {
		t := tallies[name]
		fmt.Fprintf(w, "%3d of %-3d %s\n", t.fails, t.runs, name)
	}
	for _, name := range leaves {
		fmt.Fprintf(w, "\n=== first failure of %s\n%s", name, strings.Join(tallies[name].first, ""))
	}
	if len(leaves) > 0 {
		return 1
	}
	return 0
}
