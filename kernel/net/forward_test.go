package net

import "testing"

func TestParseForward(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"8080:80", "0.0.0.0:8080:80/tcp", ""},
		{"127.0.0.1:2222:22", "127.0.0.1:2222:22/tcp", ""},
		{"127.0.0.1:5353:53/udp", "127.0.0.1:5353:53/udp", ""},
		{"[::1]:8080:80/tcp", "[::1]:8080:80/tcp", ""},
		{"80", "", "want [HOSTIP:]HOSTPORT:GUESTPORT"},
		{"8080:0", "", `port "0" is not a number from 1 to 65535`},
		{"8080:70000", "", `port "70000" is not a number from 1 to 65535`},
		{"x:80", "", `port "x" is not a number from 1 to 65535`},
		{"8080:80/sctp", "", `protocol "sctp" is not tcp or udp`},
		{"1.2.3:8080:80", "", `host address "1.2.3"`},
	} {
		f, err := ParseForward(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("ParseForward(%q): %v", c.in, err)
		case c.err != "" && (err == nil || len(err.Error()) < len(c.err) || err.Error()[:len(c.err)] != c.err):
			t.Errorf("ParseForward(%q) = %v, %v; want error %q", c.in, f, err, c.err)
		case c.err == "" && f.String() != c.want:
			t.Errorf("ParseForward(%q) = %s, want %s", c.in, f, c.want)
		}
	}
}
