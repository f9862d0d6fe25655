package tests

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNAT fetches a page from a server on the host's loopback, which the
// guest reaches as 10.0.2.2 through --net nat, the default; with --net
// none the guest has no route there.
func TestNAT(t *testing.T) {
	root := busyboxRoot(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprintf(w, "the host served %s to %s\n", r.URL.Path, host)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	url := fmt.Sprintf("http://10.0.2.2:%d/page", port)

	r := paddockWith(t, root, "/", nil, "", "/bin/busybox", "wget", "-qO-", url)
	if r.code != 0 || r.stdout != "the host served /page to 127.0.0.1\n" {
		t.Errorf("wget through the NAT: %v", r)
	}
	r = paddockWith(t, root, "/", []string{"--net", "none"}, "", "/bin/busybox", "wget", "-qO-", url)
	if r.code != 1 || !strings.Contains(r.stderr, "unreachable") {
		t.Errorf("wget with --net none: %v, want exit 1 and unreachable", r)
	}
	// A host port nothing listens on refuses the guest's connection.
	_, closed, _ := net.SplitHostPort(freePort(t))
	r = paddockWith(t, root, "/", nil, "", "/bin/busybox", "wget", "-qO-", "http://10.0.2.2:"+closed+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "Connection refused") {
		t.Errorf("wget to a closed host port: %v, want exit 1 and Connection refused", r)
	}
}

// TestForward serves a line-echoing program in the guest on port 80 and
// reaches it from the host through -p 127.0.0.1:PORT:80.
func TestForward(t *testing.T) {
	root := busyboxRoot(t)
	respond := "#!/bin/sh\nread line\necho \"the guest read $line\"\n"
	if err := os.WriteFile(filepath.Join(root, "bin", "respond"), []byte(respond), 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	bin := built(t, "paddock")
	cmd := exec.Command(bin, "run", "--root", root, "-p", addr+":80", "--",
		"/bin/busybox", "nc", "-ll", "-p", "80", "-e", "/bin/respond")
	cmd.Env = []string{}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// Until the guest listens, the forward resets each connection; the
	// first that gets an answer is the test.
	deadline := time.Now().Add(runTimeout)
	for {
		line, err := ask(addr, "hello\n")
		if err == nil && line != "" {
			if line != "the guest read hello\n" {
				t.Errorf("the forward answered %q", line)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the forward: %v; paddock's stderr: %s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A second connection, to the same persistent server.
	if line, err := ask(addr, "again\n"); err != nil || line != "the guest read again\n" {
		t.Errorf("second connection: %q, %v", line, err)
	}
}

// ask sends a line over a new connection and returns the first line of
// the answer.
func ask(addr, line string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(runTimeout))
	if _, err := c.Write([]byte(line)); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}
