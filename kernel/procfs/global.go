package procfs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// rootDir is /proc: a directory per process, self and thread-self, which
// depend on who looks, and the files about the whole system.
type rootDir struct {
	node
}

// globals are /proc's fixed entries.
func (d *rootDir) globals() []entry {
	fs := d.fs
	f := func(name string, gen func() string) entry {
		return entry{name, abi.DT_REG, func(path string) vfs.Inode { return fs.file(path, 0o444, 0, 0, text(gen)) }}
	}
	k := fs.k
	return []entry{
		f("meminfo", fs.meminfo),
		f("cpuinfo", fs.cpuinfo),
		f("stat", fs.statGlobal),
		f("uptime", fs.uptime),
		f("loadavg", fs.loadavg),
		f("version", func() string {
			c := k.Config()
			return fmt.Sprintf("Linux version %s (paddock@paddock) (gcc (GCC) 13.2.0) %s\n", c.Release, c.Version)
		}),
		f("filesystems", func() string {
			// The file system types paddock implements.
			return "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tpipefs\nnodev\tanon_inodefs\n\text4\n"
		}),
		f("locks", fs.locks),
		{"mounts", abi.DT_LNK, func(path string) vfs.Inode { return fs.link(path, 0, 0, "self/mounts") }},
		{"net", abi.DT_LNK, func(path string) vfs.Inode { return fs.link(path, 0, 0, "self/net") }},
		{"sys", abi.DT_DIR, func(path string) vfs.Inode { return fs.sysDir(path) }},
	}
}

// Lookup without a caller knows no self.
func (d *rootDir) Lookup(name string) (vfs.Inode, error) { return d.LookupFor(nil, name) }

// LookupFor implements vfs.CallerLookuper.
func (d *rootDir) LookupFor(caller any, name string) (vfs.Inode, error) {
	fs := d.fs
	t, _ := caller.(*kernel.Task)
	switch name {
	case "self":
		if t == nil {
			return nil, abi.ENOENT
		}
		return fs.link("/self", 0, 0, strconv.Itoa(int(t.Process().PID()))), nil
	case "thread-self":
		if t == nil {
			return nil, abi.ENOENT
		}
		return fs.link("/thread-self", 0, 0, fmt.Sprintf("%d/task/%d", t.Process().PID(), t.TID())), nil
	}
	if pid, err := strconv.Atoi(name); err == nil {
		p := fs.k.ProcessByPID(int32(pid))
		if p == nil {
			// A thread id names its thread group's directory too,
			// though readdir does not list it (proc_pid_lookup).
			if tt := fs.k.TaskByTID(int32(pid)); tt != nil && tt.Process() != nil {
				return fs.pidDir("/"+name, tt.Process(), tt), nil
			}
			return nil, abi.ENOENT
		}
		return fs.pidDir("/"+name, p, nil), nil
	}
	for _, e := range d.globals() {
		if e.name == name {
			return e.make("/" + name), nil
		}
	}
	return nil, abi.ENOENT
}

// ReadDir lists the fixed entries, then the processes.
func (d *rootDir) ReadDir() ([]vfs.Dirent, error) {
	var out []vfs.Dirent
	for _, e := range d.globals() {
		out = append(out, vfs.Dirent{Name: e.name, Ino: d.fs.node("/"+e.name, 0, 0, 0).ino, Type: e.typ})
	}
	out = append(out, vfs.Dirent{Name: "self", Ino: d.fs.node("/self", 0, 0, 0).ino, Type: abi.DT_LNK},
		vfs.Dirent{Name: "thread-self", Ino: d.fs.node("/thread-self", 0, 0, 0).ino, Type: abi.DT_LNK})
	var pids []int
	for _, p := range d.fs.k.Processes() {
		pids = append(pids, int(p.PID()))
	}
	sort.Ints(pids)
	for _, pid := range pids {
		name := strconv.Itoa(pid)
		out = append(out, vfs.Dirent{Name: name, Ino: d.fs.node("/"+name, 0, 0, 0).ino, Type: abi.DT_DIR})
	}
	return out, nil
}

// sysDir is /proc/sys, with the kernel and fs settings programs read.
func (fs *FS) sysDir(path string) vfs.Inode {
	k := fs.k
	ro := func(name string, gen func() string) entry {
		return entry{name, abi.DT_REG, func(path string) vfs.Inode { return fs.file(path, 0o444, 0, 0, text(gen)) }}
	}
	rw := func(name string, gen func() string, set func(string) error) entry {
		return entry{name, abi.DT_REG, func(path string) vfs.Inode {
			f := fs.file(path, 0o644, 0, 0, text(gen))
			f.write = func(b []byte) error { return set(strings.TrimSuffix(string(b), "\n")) }
			return f
		}}
	}
	sub := func(name string, entries []entry) entry {
		return entry{name, abi.DT_DIR, func(path string) vfs.Inode { return fs.dir(path, 0, 0, entries) }}
	}
	kernelDir := []entry{
		rw("hostname", func() string { return k.Hostname() + "\n" }, uts(k.SetHostname)),
		rw("domainname", func() string { return k.Domainname() + "\n" }, uts(k.SetDomainname)),
		ro("osrelease", func() string { return k.Config().Release + "\n" }),
		ro("ostype", func() string { return "Linux\n" }),
		ro("version", func() string { return k.Config().Version + "\n" }),
		ro("pid_max", func() string { return strconv.Itoa(kernel.PidMax) + "\n" }),
		ro("threads-max", func() string { return strconv.Itoa(kernel.MaxTasks) + "\n" }),
		ro("ngroups_max", func() string { return "65536\n" }),
		sub("random", []entry{
			ro("boot_id", func() string { return k.BootID() + "\n" }),
			ro("uuid", func() string { return kernel.NewUUID() + "\n" }),
		}),
	}
	fsDir := []entry{
		ro("file-max", func() string { return strconv.FormatUint(kernel.FileMax, 10) + "\n" }),
		ro("nr_open", func() string { return strconv.Itoa(kernel.NrOpen) + "\n" }),
	}
	return fs.dir(path, 0, 0, []entry{sub("kernel", kernelDir), sub("fs", fsDir), sub("net", fs.sysNet(ro, rw, sub))})
}

// uts makes a writer for a UTS name: at most 64 bytes
// (__NEW_UTS_LEN), as sethostname(2) allows.
func uts(set func(string)) func(string) error {
	return func(s string) error {
		if len(s) > 64 {
			return abi.EINVAL
		}
		set(s)
		return nil
	}
}

// meminfo formats /proc/meminfo (meminfo_proc_show) from paddock's
// nominal machine and what the guests use.
func (fs *FS) meminfo() string {
	m := fs.k.Memory()
	var b strings.Builder
	row := func(name string, bytes uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", bytes/1024) }
	row("MemTotal", m.Total)
	row("MemFree", m.Free)
	row("MemAvailable", m.Available)
	for _, n := range []string{"Buffers", "Cached", "SwapCached", "Active", "Inactive", "Active(anon)", "Inactive(anon)",
		"Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback"} {
		row(n, 0)
	}
	row("AnonPages", m.Total-m.Free)
	for _, n := range []string{"Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack",
		"PageTables", "NFS_Unstable", "Bounce", "WritebackTmp"} {
		row(n, 0)
	}
	row("CommitLimit", m.Total)
	row("Committed_AS", m.Total-m.Free)
	row("VmallocTotal", 34359738367*1024)
	row("VmallocUsed", 0)
	row("VmallocChunk", 0)
	return b.String()
}

// cpuTimes returns the machine's CPU time in ticks: the guests' user and
// system time, and the rest of the CPUs' uptime as idle.
func (fs *FS) cpuTimes() (user, sys, idle uint64) {
	for _, p := range fs.k.Processes() {
		u, s := p.CPUTime()
		cu, cs := p.ChildrenCPUTime()
		user += ticks(u + cu)
		sys += ticks(s + cs)
	}
	total := ticks(fs.k.Uptime()) * uint64(fs.k.NumCPU())
	if total > user+sys {
		idle = total - user - sys
	}
	return
}

// statGlobal formats /proc/stat (show_stat).
func (fs *FS) statGlobal() string {
	k := fs.k
	user, sys, idle := fs.cpuTimes()
	n := uint64(k.NumCPU())
	var b strings.Builder
	fmt.Fprintf(&b, "cpu  %d 0 %d %d 0 0 0 0 0 0\n", user, sys, idle)
	for c := uint64(0); c < n; c++ {
		fmt.Fprintf(&b, "cpu%d %d 0 %d %d 0 0 0 0 0 0\n", c, user/n, sys/n, idle/n)
	}
	running, _ := k.TaskCounts()
	fmt.Fprintf(&b, "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		k.BootTime().Unix(), k.Forks(), max(running, 1))
	return b.String()
}

// uptime formats /proc/uptime: seconds since boot and idle CPU seconds.
func (fs *FS) uptime() string {
	up := fs.k.Uptime()
	_, _, idle := fs.cpuTimes()
	return fmt.Sprintf("%d.%02d %d.%02d\n", int64(up.Seconds()), (up.Milliseconds()/10)%100, idle/clockTicks, idle%clockTicks)
}

// loadavg formats /proc/loadavg: the load averages, runnable and total
// tasks, and the last pid handed out.
func (fs *FS) loadavg() string {
	k := fs.k
	l := k.LoadAvg()
	running, total := k.TaskCounts()
	fix := func(v float64) string { return fmt.Sprintf("%d.%02d", int(v), int(v*100)%100) }
	return fmt.Sprintf("%s %s %s %d/%d %d\n", fix(l[0]), fix(l[1]), fix(l[2]), running, total, k.LastPID())
}

// locks formats /proc/locks.
func (fs *FS) locks() string {
	var b strings.Builder
	for i, l := range fs.k.VFS().Locks().Held() {
		b.WriteString(l.ProcLine(i + 1))
	}
	return b.String()
}

// cpuinfo formats /proc/cpuinfo from the CPUID the guest sees.
func (fs *FS) cpuinfo() string {
	id := kernel.CPUInfo()
	var b strings.Builder
	n := fs.k.NumCPU()
	for c := 0; c < n; c++ {
		fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nmodel name\t: %s\nstepping\t: %d\n",
			c, id.Vendor, id.Family, id.Model, id.ModelName, id.Stepping)
		fmt.Fprintf(&b, "cpu MHz\t\t: %d.000\ncache size\t: %d KB\nphysical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n",
			id.MHz, id.CacheKB, n, c, n, c, c)
		fmt.Fprintf(&b, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %d\nwp\t\t: yes\nflags\t\t: %s\nbugs\t\t:\nbogomips\t: %d.00\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n",
			id.Level, strings.Join(id.Flags, " "), 2*id.MHz)
	}
	return b.String()
}
