package elf

import "bytes"

// ShebangMax is BINPRM_BUF_SIZE: how much of a script's first line the
// kernel reads.
const ShebangMax = 256

// ParseShebang parses a "#!" line as binfmt_script does: the interpreter is
// the first word after "#!", and everything after it on the line, trimmed,
// is one optional argument. ok is false if head does not start with "#!" or
// names no interpreter.
func ParseShebang(head []byte) (interp, arg string, ok bool) {
	if len(head) < 2 || head[0] != '#' || head[1] != '!' {
		return "", "", false
	}
	line := head[2:]
	if len(line) > ShebangMax-2 {
		line = line[:ShebangMax-2]
	}
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.Trim(line, " \t")
	if len(line) == 0 {
		return "", "", false
	}
	end := bytes.IndexAny(line, " \t")
	if end < 0 {
		return string(line), "", true
	}
	return string(line[:end]), string(bytes.Trim(line[end:], " \t")), true
}
