// Command bench measures paddock against native execution and against
// qemu-x86_64 (Debian's qemu-user) on the same workloads, in one run, and
// prints a Markdown table of CPU-time ratios and peak RSS for
// docs/PERFORMANCE.md.
//
// Usage: go run ./bench -paddock build/paddock -root build/bench-root
//
// Arguments beginning with "/" are paths in the bench root; for the
// native and qemu runners, which work in the root directory, they become
// relative. dd's if= and of= operands name host devices on those runners.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// workload is one benchmark: the guest command line (paths inside the
// bench root) and how many times to repeat it.
type workload struct {
	name  string
	argv  []string
	runs  int
	units float64 // work units per run, for the per-unit column (0: none)
	unit  string
}

type sample struct {
	cpu    time.Duration // user + system
	wall   time.Duration
	maxRSS int64 // KiB
}

type runner struct {
	name string
	cmd  func(argv []string) *exec.Cmd
}

func main() {
	paddock := flag.String("paddock", "build/paddock", "paddock binary")
	root := flag.String("root", "build/bench-root", "bench root directory")
	qemu := flag.String("qemu", "qemu-x86_64", "qemu-user binary (empty to skip)")
	onlyTracing := flag.Bool("tracing", false, "run only the tracing benchmarks")
	onlyNet := flag.Bool("net", false, "run only the network benchmarks")
	flag.Parse()
	absRoot, err := filepath.Abs(*root)
	if err != nil {
		fail(err)
	}
	// Every runner works in the root: native and qemu see its files as
	// relative paths, paddock as the root itself. RUN prefixes each
	// command a script execs, so that under qemu the children are
	// emulated too (qemu-user would run them natively otherwise).
	runners := []runner{
		{"native", func(argv []string) *exec.Cmd {
			c := exec.Command(filepath.Join(absRoot, argv[0]), hostArgs(argv[1:])...)
			c.Dir, c.Env = absRoot, []string{"RUN="}
			return c
		}},
		{"paddock", func(argv []string) *exec.Cmd {
			return exec.Command(*paddock, append([]string{"run", "--root", absRoot, "-w", "/", "-e", "RUN=", "--"}, argv...)...)
		}},
	}
	if *qemu != "" {
		if p, err := exec.LookPath(*qemu); err == nil {
			runners = append(runners, runner{"qemu-x86_64", func(argv []string) *exec.Cmd {
				c := exec.Command(p, append([]string{filepath.Join(absRoot, argv[0])}, hostArgs(argv[1:])...)...)
				c.Dir, c.Env = absRoot, []string{"RUN=" + p}
				return c
			}})
		} else {
			fmt.Fprintf(os.Stderr, "bench: %s not found, skipping it\n", *qemu)
		}
	}
	const syscalls = 2000000
	const forks = 300
	const trips = 100000
	const loops = 100000
	workloads := []workload{
		{"(a) busybox true start-up", []string{"/bin/busybox", "true"}, 30, 0, ""},
		{"(b) getppid loop", []string{"/bin/getppid", fmt.Sprint(syscalls)}, 5, syscalls, "syscall"},
		{"(c) sha256sum of 64 MiB", []string{"/bin/busybox", "sha256sum", "/data/64M"}, 3, 0, ""},
		{"(d) 300 fork+exec of true from sh", []string{"/bin/busybox", "sh", "-c",
			fmt.Sprintf(`i=0; while [ $i -lt %d ]; do $RUN ./bin/true; i=$((i+1)); done`, forks)}, 3, forks, "fork+exec"},
		{"(e) dd bs=1 count=500000", []string{"/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=500000"},
			3, 1000000, "syscall"},
		{"(f) pipe ping-pong, 2 processes", []string{"/bin/pingpong", fmt.Sprint(trips)}, 3, trips, "round trip"},
		{"(g) mutex ping-pong, 2 threads", []string{"/bin/mutex", fmt.Sprint(trips)}, 3, trips, "hand-over"},
		{"(h) busybox sh loop", []string{"/bin/busybox", "sh", "-c",
			fmt.Sprintf(`i=0; while [ $i -lt %d ]; do i=$((i+1)); done`, loops)}, 3, loops, "iteration"},
		{"(i) gzip of 64 MiB", []string{"/bin/busybox", "gzip", "-c", "/data/64M"}, 3, 0, ""},
	}
	fmt.Printf("Machine: %s/%s, %d CPUs, %s. Median of the runs; CPU time is user+system of the whole process tree.\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	if *onlyTracing {
		tracing(*paddock, absRoot, *qemu)
		return
	}
	if *onlyNet {
		network(runners)
		return
	}
	fmt.Printf("| workload | runner | CPU time | vs native | vs qemu | peak RSS | per unit |\n|---|---|---|---|---|---|---|\n")
	for _, w := range workloads {
		res := map[string]sample{}
		for _, r := range runners {
			res[r.name] = measure(r, w)
		}
		for _, r := range runners {
			s := res[r.name]
			vsNative := ratio(s.cpu, res["native"].cpu)
			vsQemu := "-"
			if q, ok := res["qemu-x86_64"]; ok {
				vsQemu = ratio(s.cpu, q.cpu)
			}
			per := "-"
			if w.units > 0 {
				per = fmt.Sprintf("%.0f ns/%s", float64(s.cpu.Nanoseconds())/w.units, w.unit)
			}
			fmt.Printf("| %s | %s | %s | %s | %s | %d MiB | %s |\n", w.name, r.name, s.cpu.Round(time.Microsecond),
				vsNative, vsQemu, s.maxRSS/1024, per)
		}
	}
	network(runners)
	tracing(*paddock, absRoot, *qemu)
}

// network measures sockets over the loopback (testdata/bench/netbench.c):
// bulk TCP and AF_UNIX stream throughput between two processes, TCP
// connections per second and UDP round trips. Native and qemu-user use
// the host kernel's loopback, paddock its netstack and Unix sockets.
// Wall time is what a user waits; CPU time what it costs.
func network(runners []runner) {
	const mib, conns, trips = 1024, 5000, 50000
	workloads := []workload{
		{"(n1) TCP bulk, 1 GiB", []string{"/bin/netbench", "tcp", fmt.Sprint(mib)}, 3, mib, "MiB"},
		{"(n2) TCP connections", []string{"/bin/netbench", "conn", fmt.Sprint(conns)}, 3, conns, "connection"},
		{"(n3) AF_UNIX stream bulk, 1 GiB", []string{"/bin/netbench", "unix", fmt.Sprint(mib)}, 3, mib, "MiB"},
		{"(n4) UDP round trips", []string{"/bin/netbench", "udp", fmt.Sprint(trips)}, 3, trips, "round trip"},
	}
	fmt.Printf("\nNetwork, two processes over the loopback:\n\n")
	fmt.Printf("| workload | runner | wall time | vs native | vs qemu | CPU time | rate |\n|---|---|---|---|---|---|---|\n")
	for _, w := range workloads {
		res := map[string]sample{}
		for _, r := range runners {
			res[r.name] = measure(r, w)
		}
		for _, r := range runners {
			s := res[r.name]
			vsQemu := "-"
			if q, ok := res["qemu-x86_64"]; ok {
				vsQemu = ratio(s.wall, q.wall)
			}
			rate := fmt.Sprintf("%.0f %s/s", w.units/s.wall.Seconds(), w.unit)
			fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", w.name, r.name, s.wall.Round(time.Millisecond),
				ratio(s.wall, res["native"].wall), vsQemu, s.cpu.Round(time.Millisecond), rate)
		}
	}
}

// tracing measures what tracing costs: the syscall trace on dd bs=1
// (against untraced paddock, native strace -f and qemu-x86_64 -strace),
// and the instruction trace's rate (against qemu-x86_64 -d
// in_asm,exec,nochain on the same program). Traces go to a scratch file.
func tracing(paddock, root, qemu string) {
	tmp, err := os.MkdirTemp("", "paddock-bench")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "trace")
	const n = 100000
	dd := []string{"/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", fmt.Sprint("count=", n)}
	pad := func(opts ...string) func([]string) *exec.Cmd {
		return func(argv []string) *exec.Cmd {
			return exec.Command(paddock, append(append([]string{"run", "--root", root, "-w", "/"}, opts...), append([]string{"--"}, argv...)...)...)
		}
	}
	// host runs the command on the host, after a tracer's command line.
	host := func(prefix ...string) func([]string) *exec.Cmd {
		return func(argv []string) *exec.Cmd {
			args := append(append(prefix, filepath.Join(root, argv[0])), hostArgs(argv[1:])...)
			c := exec.Command(args[0], args[1:]...)
			c.Dir = root
			return c
		}
	}
	fmt.Printf("\nSyscall trace, dd bs=1 count=%d (%d syscalls), traces written to a file:\n\n", n, 2*n)
	fmt.Printf("| runner | CPU time | vs untraced | per syscall |\n|---|---|---|---|\n")
	rows := []runner{
		{"paddock", pad()},
		{"paddock --strace", pad("--strace=" + out)},
		{"native", host()},
	}
	if p, err := exec.LookPath("strace"); err == nil {
		rows = append(rows, runner{"native under strace -f", host(p, "-f", "-o", out)})
	}
	if p, err := exec.LookPath(qemu); err == nil {
		rows = append(rows, runner{"qemu-x86_64", host(p)}, runner{"qemu-x86_64 -strace", host(p, "-strace", "-D", out)})
	}
	base := map[string]time.Duration{}
	for _, r := range rows {
		s := measure(r, workload{argv: dd, runs: 3})
		key := strings.Fields(r.name)[0]
		vs := "-"
		if b, ok := base[key]; ok {
			vs = ratio(s.cpu, b)
		} else {
			base[key] = s.cpu
		}
		fmt.Printf("| %s | %s | %s | %.0f ns |\n", r.name, s.cpu.Round(time.Microsecond), vs, float64(s.cpu.Nanoseconds())/(2*n))
	}
	data := []string{"/bin/busybox", "sha256sum", "/data/256K"}
	fmt.Printf("\nInstruction trace, busybox sha256sum of 256 KiB, traces written to a file on disk and to one in memory (/dev/shm):\n\n")
	fmt.Printf("| runner | file | CPU time | trace size | instructions | instructions/s |\n|---|---|---|---|---|---|\n")
	dirs := []string{tmp}
	if shm, err := os.MkdirTemp("/dev/shm", "paddock-bench"); err == nil {
		defer os.RemoveAll(shm)
		dirs = append(dirs, shm)
	}
	for _, dir := range dirs {
		out := filepath.Join(dir, "itrace")
		where := "disk"
		if dir != tmp {
			where = "memory"
		}
		// Each run starts without the last run's file, whose truncation
		// would cost the next run the time to free it.
		fresh := func(mk func([]string) *exec.Cmd) func([]string) *exec.Cmd {
			return func(argv []string) *exec.Cmd {
				os.Remove(out)
				return mk(argv)
			}
		}
		itrace := []runner{{"paddock --itrace", fresh(pad("--itrace=" + out))}}
		if p, err := exec.LookPath(qemu); err == nil {
			itrace = append(itrace, runner{"qemu-x86_64 -d in_asm,exec,nochain", fresh(host(p, "-d", "in_asm,exec,nochain", "-D", out))})
		}
		for _, r := range itrace {
			s := measure(r, workload{argv: data, runs: 3})
			st, err := os.Stat(out)
			if err != nil {
				fail(err)
			}
			lines, rate := "-", "-"
			if strings.HasPrefix(r.name, "paddock") {
				n := countLines(out)
				lines = fmt.Sprint(n)
				rate = fmt.Sprintf("%.1f M", float64(n)/s.cpu.Seconds()/1e6)
			}
			fmt.Printf("| %s | %s | %s | %d MiB | %s | %s |\n", r.name, where, s.cpu.Round(time.Microsecond), st.Size()>>20, lines, rate)
			os.Remove(out)
		}
	}
}

// countLines counts the lines of a file.
func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if err != nil {
			return n
		}
	}
}

// hostArgs turns guest paths in arguments into paths relative to the
// root, where the runners that see the host's files work; device paths
// stay as they are.
func hostArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "/dev/") {
			a = "." + a
		}
		out[i] = a
	}
	return out
}

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

// measure runs w with r runs times and returns the median CPU time and the
// largest peak RSS.
func measure(r runner, w workload) sample {
	var cpus, walls []time.Duration
	var rss int64
	for range w.runs {
		cmd := r.cmd(w.argv)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fail(fmt.Errorf("%s %v: %w", r.name, w.argv, err))
		}
		walls = append(walls, time.Since(start))
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpus = append(cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		rss = max(rss, ru.Maxrss)
	}
	median := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	return sample{cpu: median(cpus), wall: median(walls), maxRSS: rss}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
