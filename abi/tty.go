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
