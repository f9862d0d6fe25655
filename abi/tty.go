package abi

// Terminal ioctls (include/uapi/asm-generic/ioctls.h).
const (
	TCGETS     = 0x5401
	TCSETS     = 0x5402
	TCSETSW    = 0x5403
	TCSETSF    = 0x5404
	TCSBRK     = 0x5409
	TCXONC     = 0x540A
	TCFLSH     = 0x540B
	TIOCEXCL   = 0x540C
	TIOCNXCL   = 0x540D
	TIOCSCTTY  = 0x540E
	TIOCGPGRP  = 0x540F
	TIOCSPGRP  = 0x5410
	TIOCOUTQ   = 0x5411
	TIOCSTI    = 0x5412
	TIOCGWINSZ = 0x5413
	TIOCSWINSZ = 0x5414
	FIONREAD   = 0x541B
	TIOCNOTTY  = 0x5422
	TIOCGSID   = 0x5429
	TIOCGPTN   = 0x80045430
	TIOCSPTLCK = 0x40045431
	FIONCLEX   = 0x5450
	FIOCLEX    = 0x5451
	FIONBIO    = 0x5421
	FIOASYNC   = 0x5452
)

// Winsize is struct winsize: four u16 (rows, cols, xpixel, ypixel).
type Winsize struct {
	Row, Col, Xpixel, Ypixel uint16
}

// SizeofWinsize is sizeof(struct winsize).
const SizeofWinsize = 8

// Encode writes w into b[:8].
func (w Winsize) Encode(b []byte) {
	le.PutUint16(b[0:], w.Row)
	le.PutUint16(b[2:], w.Col)
	le.PutUint16(b[4:], w.Xpixel)
	le.PutUint16(b[6:], w.Ypixel)
}

// DecodeWinsize reads a struct winsize from b[:8].
func DecodeWinsize(b []byte) Winsize {
	return Winsize{le.Uint16(b[0:]), le.Uint16(b[2:]), le.Uint16(b[4:]), le.Uint16(b[6:])}
}

// NCCS is the size of c_cc in the kernel's struct termios.
const NCCS = 19

// Termios is the kernel's struct termios (TCGETS/TCSETS):
//
//	0 c_iflag u32  4 c_oflag u32  8 c_cflag u32  12 c_lflag u32
//	16 c_line u8   17 c_cc[19]
type Termios struct {
	Iflag, Oflag, Cflag, Lflag uint32
	Line                       uint8
	Cc                         [NCCS]uint8
}

// SizeofTermios is sizeof(struct termios) in the kernel ABI.
const SizeofTermios = 36

// Encode writes t into b[:36].
func (t *Termios) Encode(b []byte) {
	le.PutUint32(b[0:], t.Iflag)
	le.PutUint32(b[4:], t.Oflag)
	le.PutUint32(b[8:], t.Cflag)
	le.PutUint32(b[12:], t.Lflag)
	b[16] = t.Line
	copy(b[17:36], t.Cc[:])
}

// DecodeTermios reads a struct termios from b[:36].
func DecodeTermios(b []byte) Termios {
	t := Termios{
		Iflag: le.Uint32(b[0:]), Oflag: le.Uint32(b[4:]),
		Cflag: le.Uint32(b[8:]), Lflag: le.Uint32(b[12:]), Line: b[16],
	}
	copy(t.Cc[:], b[17:36])
	return t
}

// Termios flags (include/uapi/asm-generic/termbits.h) and c_cc indexes.
const (
	// c_iflag
	IGNBRK  = 0o1
	BRKINT  = 0o2
	INLCR   = 0o100
	IGNCR   = 0o200
	ICRNL   = 0o400
	IXON    = 0o2000
	IGNPAR  = 0o4
	PARMRK  = 0o10
	INPCK   = 0o20
	ISTRIP  = 0o40
	IUCLC   = 0o1000
	IXANY   = 0o4000
	IXOFF   = 0o10000
	IMAXBEL = 0o20000
	IUTF8   = 0o40000
	// c_oflag
	OPOST  = 0o1
	ONLCR  = 0o4
	OLCUC  = 0o2
	OCRNL  = 0o10
	ONOCR  = 0o20
	ONLRET = 0o40
	OFILL  = 0o100
	OFDEL  = 0o200
	NLDLY  = 0o400
	CRDLY  = 0o3000
	TABDLY = 0o14000
	BSDLY  = 0o20000
	VTDLY  = 0o40000
	FFDLY  = 0o100000
	// c_cflag
	B38400  = 0o17
	CS8     = 0o60
	CREAD   = 0o200
	HUPCL   = 0o2000
	CBAUD   = 0o10017
	CSIZE   = 0o60
	CSTOPB  = 0o100
	PARENB  = 0o400
	PARODD  = 0o1000
	CLOCAL  = 0o4000
	CRTSCTS = 0o20000000000
	// c_lflag
	ISIG    = 0o1
	ICANON  = 0o2
	ECHO    = 0o10
	ECHOE   = 0o20
	ECHOK   = 0o40
	ECHONL  = 0o100
	NOFLSH  = 0o200
	TOSTOP  = 0o400
	ECHOCTL = 0o1000
	ECHOKE  = 0o4000
	IEXTEN  = 0o100000
	XCASE   = 0o4
	ECHOPRT = 0o2000
	FLUSHO  = 0o10000
	PENDIN  = 0o40000
	EXTPROC = 0o200000

	VINTR    = 0
	VQUIT    = 1
	VERASE   = 2
	VKILL    = 3
	VEOF     = 4
	VTIME    = 5
	VMIN     = 6
	VSTART   = 8
	VSTOP    = 9
	VSUSP    = 10
	VEOL     = 11
	VREPRINT = 12
	VDISCARD = 13
	VWERASE  = 14
	VLNEXT   = 15
	VEOL2    = 16
)

// More terminal ioctls.
const (
	TIOCINQ = FIONREAD
	// TCFLSH arguments.
	TCIFLUSH  = 0
	TCOFLUSH  = 1
	TCIOFLUSH = 2
)

// StdTermios is a new terminal's setting, Linux's tty_std_termios: cooked
// input with echo and job-control characters, output newlines as CR LF.
func StdTermios() Termios {
	t := Termios{
		Iflag: ICRNL | IXON,
		Oflag: OPOST | ONLCR,
		Cflag: B38400 | CS8 | CREAD | HUPCL,
		Lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	}
	// INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, ^Q ^S ^Z, ^R ^O ^W ^V.
	copy(t.Cc[:], []byte{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0})
	return t
}

// Device numbers of terminals (Documentation/admin-guide/devices.txt).
const (
	TTYAUXMajor = 5   // /dev/tty (0), /dev/console (1), /dev/ptmx (2)
	PTSMajor    = 136 // /dev/pts/N
	PtmxMinor   = 2
	CurTTYMinor = 0
)
