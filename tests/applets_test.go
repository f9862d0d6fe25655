package tests

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// applet is one single-process busybox command of the differential
// applet tests. It runs with /data as its working directory.
type applet struct {
	name  string
	args  []string
	stdin string
}

// applets are the commands run natively and under paddock, for Debian's
// busybox and for Alpine's.
var applets = []applet{
	{"ls-l", []string{"ls", "-l", "/data"}, ""},
	{"ls-la", []string{"ls", "-la", "/data/tree"}, ""},
	{"ls-R", []string{"ls", "-1R", "/data/tree"}, ""},
	{"ls-ld", []string{"ls", "-ld", "/data", "/data/tree", "/data/link"}, ""},
	{"cat", []string{"cat", "lines.txt", "words.txt"}, ""},
	{"cat-stdin", []string{"cat"}, "from stdin\nline two\n"},
	{"head", []string{"head", "-n", "3", "lines.txt"}, ""},
	{"tail", []string{"tail", "-n", "2", "lines.txt"}, ""},
	{"tail-c", []string{"tail", "-c", "20", "lines.txt"}, ""},
	{"wc", []string{"wc", "lines.txt", "words.txt", "numbers.txt"}, ""},
	{"wc-l", []string{"wc", "-l", "lines.txt"}, ""},
	{"sort", []string{"sort", "words.txt"}, ""},
	{"sort-nr", []string{"sort", "-n", "-r", "numbers.txt"}, ""},
	{"sort-key", []string{"sort", "-t", ",", "-k", "2", "data.csv"}, ""},
	{"uniq-c", []string{"uniq", "-c", "sorted.txt"}, ""},
	{"cut", []string{"cut", "-d", ",", "-f", "2,3", "data.csv"}, ""},
	{"tr", []string{"tr", "a-z", "A-Z"}, "hello tr\n"},
	{"sed", []string{"sed", "-e", "s/o/0/g", "-e", "2d", "lines.txt"}, ""},
	{"sed-n", []string{"sed", "-n", "2,4p", "lines.txt"}, ""},
	{"awk-sum", []string{"awk", "{s += $1} END {print s, NR, s/NR}", "numbers.txt"}, ""},
	{"awk-csv", []string{"awk", "-F", ",", "{printf \"%s:%d:%.2f\\n\", $2, NF, $3 * 1.5}", "data.csv"}, ""},
	{"grep-n", []string{"grep", "-n", "line", "lines.txt"}, ""},
	{"grep-c", []string{"grep", "-c", "e", "words.txt"}, ""},
	{"grep-v", []string{"grep", "-v", "e", "words.txt"}, ""},
	{"grep-r", []string{"grep", "-r", "needle", "tree"}, ""},
	{"grep-none", []string{"grep", "absent", "lines.txt"}, ""},
	{"find-name", []string{"find", "tree", "-name", "*.txt"}, ""},
	{"find-type", []string{"find", "tree", "-type", "d"}, ""},
	{"stat", []string{"stat", "-c", "%n %s %a %F %u %g %h", "lines.txt", "tree", "link"}, ""},
	{"du", []string{"du", "-s", "tree"}, ""},
	{"md5sum", []string{"md5sum", "lines.txt", "words.txt"}, ""},
	{"sha1sum", []string{"sha1sum", "numbers.txt"}, ""},
	{"sha256sum", []string{"sha256sum", "lines.txt", "data.csv"}, ""},
	{"sha512sum", []string{"sha512sum", "words.txt"}, ""},
	{"gzip", []string{"gzip", "-k", "-9", "lines.txt"}, ""},
	{"gunzip-c", []string{"gunzip", "-c", "archive.gz"}, ""},
	{"tar-c", []string{"tar", "-cf", "out.tar", "tree"}, ""},
	{"tar-t", []string{"tar", "-tvf", "sample.tar"}, ""},
	{"tar-x", []string{"tar", "-xf", "sample.tar", "-C", "extract"}, ""},
	{"cp-a", []string{"cp", "-a", "tree", "treecopy"}, ""},
	{"mv", []string{"mv", "words.txt", "moved.txt"}, ""},
	{"rm-r", []string{"rm", "-r", "tree/sub"}, ""},
	{"ln-s", []string{"ln", "-s", "lines.txt", "newlink"}, ""},
	{"mkdir-p", []string{"mkdir", "-p", "a/b/c"}, ""},
	{"touch-d", []string{"touch", "-d", "@1600000000", "lines.txt", "newfile"}, ""},
	{"chmod-R", []string{"chmod", "-R", "go-rwx", "tree"}, ""},
	{"date", []string{"date", "-u", "-d", "@1700000000"}, ""},
	{"date-fmt", []string{"date", "-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a"}, ""},
	{"expr", []string{"expr", "7", "*", "6", "+", "1"}, ""},
	{"printf", []string{"printf", "%s-%05d-%x-%.3f\\n", "abc", "42", "255", "3.14159"}, ""},
	{"seq", []string{"seq", "3", "2", "15"}, ""},
	{"basename", []string{"basename", "/a/b/c.txt", ".txt"}, ""},
	{"dirname", []string{"dirname", "/a/b/c.txt"}, ""},
	{"readlink-f", []string{"readlink", "-f", "link"}, ""},
	{"realpath", []string{"realpath", "tree/../lines.txt"}, ""},
	{"env", []string{"env"}, ""},
	{"id", []string{"id"}, ""},
	{"uname", []string{"uname", "-s", "-m"}, ""},
	{"echo", []string{"echo", "-e", "a\\tb\\nc"}, ""},
	{"false", []string{"false"}, ""},
	{"test", []string{"test", "-d", "tree"}, ""},
	{"od", []string{"od", "-A", "x", "-t", "x1z", "numbers.txt"}, ""},
	{"hexdump", []string{"hexdump", "-C", "words.txt"}, ""},
	{"base64", []string{"base64", "lines.txt"}, ""},
	{"rev", []string{"rev", "lines.txt"}, ""},
	{"tac", []string{"tac", "lines.txt"}, ""},
	{"nl", []string{"nl", "lines.txt"}, ""},
	{"paste", []string{"paste", "-d", ":", "lines.txt", "words.txt"}, ""},
	{"comm", []string{"comm", "sorted.txt", "sorted2.txt"}, ""},
	{"diff", []string{"diff", "-u", "sorted.txt", "sorted2.txt"}, ""},
	{"cmp", []string{"cmp", "sorted.txt", "sorted2.txt"}, ""},
	{"fold", []string{"fold", "-w", "7", "lines.txt"}, ""},
	{"truncate", []string{"truncate", "-s", "5", "lines.txt"}, ""},
	{"split", []string{"split", "-l", "2", "lines.txt", "part."}, ""},
	{"sh-arith", []string{"sh", "-c", "echo $((6*7)); x=abc; echo ${#x} ${x%c}"}, ""},
	{"missing-file", []string{"cat", "nonexistent"}, ""},
}

// dataTime is the modification time of every file in the test data, so
// that ls -l and tar print the same on both sides.
var dataTime = time.Unix(1500000000, 0)

// makeData fills dir with the files the applets work on.
func makeData(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"lines.txt":           "first line\nsecond line\nthird one\nfourth line\nfifth\n",
		"words.txt":           "pear\napple\nfig\nbanana\ncherry\nkiwi\n",
		"numbers.txt":         "10\n3\n-7\n250\n42\n0.5\n",
		"data.csv":            "1,zeta,2.5\n2,alpha,10\n3,mid,0.25\n",
		"sorted.txt":          "a\na\nb\nc\nc\nc\nd\n",
		"sorted2.txt":         "a\nb\nb\nc\ne\n",
		"tree/one.txt":        "needle in one\n",
		"tree/two.dat":        "no match\n",
		"tree/sub/three.txt":  "three\nneedle\n",
		"tree/sub/deep/4.txt": "four\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("lines.txt", filepath.Join(dir, "link"))
	os.MkdirAll(filepath.Join(dir, "extract"), 0o755)
	writeArchives(t, dir)
	filepath.Walk(dir, func(p string, fi fs.FileInfo, err error) error {
		if err == nil {
			os.Lchown(p, 0, 0)
			if fi.Mode()&fs.ModeSymlink == 0 {
				os.Chtimes(p, dataTime, dataTime)
			}
		}
		return nil
	})
}

// writeArchives makes sample.tar and archive.gz with Go's own encoders,
// so that the decoders under test read something they did not write.
func writeArchives(t *testing.T, dir string) {
	t.Helper()
	var tb bytes.Buffer
	tw := newTar(&tb)
	for _, e := range []struct{ name, data string }{{"x/a.txt", "alpha\n"}, {"x/b.txt", "beta\n"}, {"top.txt", "top\n"}} {
		tw.add(e.name, e.data, dataTime)
	}
	tw.close()
	os.WriteFile(filepath.Join(dir, "sample.tar"), tb.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "archive.gz"), gz("compressed content\nline 2\n"), 0o644)
}

// snapshot describes a tree: one line per file with type, mode, owner,
// size and content hash, and the modification time when it is well before
// the test began (set on purpose, so both sides must agree). Host file
// systems stamp times from a coarse clock, so "well before" is a second.
func snapshot(t *testing.T, dir string, since time.Time) string {
	t.Helper()
	var lines []string
	filepath.Walk(dir, func(p string, fi fs.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		st := fi.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v uid=%d gid=%d", rel, fi.Mode(), st.Uid, st.Gid)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			line += fmt.Sprintf(" size=%d sum=%x", len(data), sha(data))
		}
		if fi.Mode()&fs.ModeSymlink == 0 && !fi.IsDir() && fi.ModTime().Before(since.Add(-time.Second)) {
			line += " mtime=" + fi.ModTime().UTC().Format(time.RFC3339Nano)
		}
		lines = append(lines, line)
		return nil
	})
	return strings.Join(lines, "\n")
}
