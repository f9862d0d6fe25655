package procfs_test

import (
	"regexp"
	"strings"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu/cputest"
	"paddock/kernel/kerneltest"
)

// readFiles runs a guest that reads each path whole and returns what it
// read, or the errno of the open or read that failed.
func readFiles(t *testing.T, paths ...string) map[string]string {
	t.Helper()
	got := map[string]string{}
	var a kerneltest.Asm
	for _, p := range paths {
		a.Do(func(f *cputest.Fake) { f.Write(kerneltest.PathAddr, append([]byte(p), 0)) })
		a.Sys(abi.SYS_OPENAT, uint64(abi.AT_FDCWD&0xffffffff), kerneltest.PathAddr, abi.O_RDONLY, 0)
		a.Do(func(f *cputest.Fake) {
			if kerneltest.Ret(f) < 0 {
				got[p] = kerneltest.Errno(f)
			}
		})
		a.SysFn(abi.SYS_READ, func(f *cputest.Fake) []uint64 {
			return []uint64{uint64(kerneltest.Ret(f)), kerneltest.BufAddr, kerneltest.BufSize}
		})
		a.Do(func(f *cputest.Fake) {
			if n := kerneltest.Ret(f); n >= 0 {
				got[p] = string(f.Read(kerneltest.BufAddr, int(n)))
			} else if got[p] == "" {
				got[p] = kerneltest.Errno(f)
			}
		})
		a.Sys(abi.SYS_CLOSE, 0)
	}
	a.Exit(0)
	kerneltest.Run(t, a.Program())
	return got
}

// TestPidFiles checks the formats of /proc/PID's files for the first
// process, as fs/proc/array.c and base.c print them.
func TestPidFiles(t *testing.T) {
	got := readFiles(t, "/proc/self/stat", "/proc/self/status", "/proc/1/cmdline", "/proc/self/environ",
		"/proc/self/comm", "/proc/self/limits", "/proc/999/stat")
	cases := []struct {
		path string
		want string // a regular expression the whole file matches
	}{
		// pid (comm) state ppid pgrp session tty_nr tpgid flags ...
		{"/proc/self/stat", `^1 \(prog\) R 0 1 1 0 -1 \d+( -?\d+){43}\n$`},
		{"/proc/self/status", `(?s)^Name:\tprog\nUmask:\t0022\nState:\tR \(running\)\nTgid:\t1\n.*\nPid:\t1\nPPid:\t0\n.*Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n.*Threads:\t1\n`},
		{"/proc/1/cmdline", "^prog\x00$"},
		{"/proc/self/environ", "^HOME=/\x00$"},
		{"/proc/self/comm", "^prog\n$"},
		{"/proc/self/limits", `^Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \n(?s:.*)Max open files            1024                 4096                 files     \n`},
		{"/proc/999/stat", "^ENOENT$"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/proc/"), func(t *testing.T) {
			if !regexp.MustCompile(c.want).MatchString(got[c.path]) {
				t.Errorf("%s is\n%q\nwhich does not match\n%q", c.path, got[c.path], c.want)
			}
		})
	}
}

// TestSystemFiles checks the formats of /proc's system-wide files.
func TestSystemFiles(t *testing.T) {
	got := readFiles(t, "/proc/loadavg", "/proc/uptime", "/proc/version", "/proc/sys/kernel/hostname",
		"/proc/sys/kernel/osrelease", "/proc/meminfo", "/proc/filesystems")
	cases := []struct{ path, want string }{
		{"/proc/loadavg", `^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n$`},
		{"/proc/uptime", `^\d+\.\d\d \d+\.\d\d\n$`},
		{"/proc/version", `^Linux version 6\.6\.0-paddock `},
		{"/proc/sys/kernel/hostname", "^paddock\n$"},
		{"/proc/sys/kernel/osrelease", "^6.6.0-paddock\n$"},
		{"/proc/meminfo", `^MemTotal: +\d+ kB\nMemFree: +\d+ kB\nMemAvailable: +\d+ kB\n`},
		{"/proc/filesystems", "nodev\tproc\n"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/proc/"), func(t *testing.T) {
			if !regexp.MustCompile(c.want).MatchString(got[c.path]) {
				t.Errorf("%s is\n%q\nwhich does not match\n%q", c.path, got[c.path], c.want)
			}
		})
	}
}

// TestNetFiles checks /proc/net's and /proc/sys/net's files of a network
// with no sockets: the headers, padding and rows Linux gives.
func TestNetFiles(t *testing.T) {
	files := map[string]string{
		"/proc/net/tcp":  `^  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode {53}\n$`,
		"/proc/net/udp":  `^   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops {12}\n$`,
		"/proc/net/tcp6": `^  sl  local_address {25}remote_address {24}st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n$`,
		"/proc/net/unix": "^Num       RefCount Protocol Flags    Type St Inode Path\n$",
		"/proc/net/dev": `^Inter-\|   Receive {48}\|  Transmit\n face \|bytes    packets errs drop fifo frame compressed multicast\|bytes    packets errs drop fifo colls carrier compressed\n` +
			`    lo: +\d+ +\d+ +0 +0 +0 +0 +0 +0 +\d+ +\d+ +0 +0 +0 +0 +0 +0\n$`,
		"/proc/net/if_inet6":                     "^00000000000000000000000000000001 01 80 10 80       lo\n$",
		"/proc/net/route":                        "^Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT {55}\n$",
		"/proc/net/sockstat":                     "^sockets: used 0\nTCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n$",
		"/proc/net/snmp":                         `^Ip: Forwarding DefaultTTL InReceives .* OutTransmits\nIp: 2 64 0( 0){17}\nIcmp: InMsgs .*\nIcmp:( 0){29}\nTcp: .*\nTcp: 1 200 120000 -1( 0){11}\nUdp: .*\nUdp:( 0){9}\nUdpLite: .*\nUdpLite:( 0){9}\n$`,
		"/proc/sys/net/ipv4/ip_local_port_range": "^32768\t60999\n$",
		"/proc/sys/net/core/somaxconn":           "^4096\n$",
		"/proc/sys/net/unix/max_dgram_qlen":      "^10\n$",
		"/proc/self/net/if_inet6":                " lo\n$",
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	got := readFiles(t, paths...)
	for p, want := range files {
		t.Run(strings.TrimPrefix(p, "/proc/"), func(t *testing.T) {
			if !regexp.MustCompile(want).MatchString(got[p]) {
				t.Errorf("%s is\n%q\nwhich does not match\n%q", p, got[p], want)
			}
		})
	}
}
