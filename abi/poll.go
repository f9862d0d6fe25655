package abi

// poll and epoll event bits (include/uapi/asm-generic/poll.h, eventpoll.h).
const (
	POLLIN     = 0x1
	POLLPRI    = 0x2
	POLLOUT    = 0x4
	POLLERR    = 0x8
	POLLHUP    = 0x10
	POLLNVAL   = 0x20
	POLLRDNORM = 0x40
	POLLRDBAND = 0x80
	POLLWRNORM = 0x100
	POLLWRBAND = 0x200
	POLLMSG    = 0x400
	POLLRDHUP  = 0x2000

	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31
)

// epoll_ctl operations and epoll_create1's flag.
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3
	EPOLL_CLOEXEC = O_CLOEXEC

	// EP_MAX_EVENTS bounds epoll_wait's maxevents (INT_MAX / sizeof event).
	EP_MAX_EVENTS = 0x7fffffff / SizeofEpollEvent
)

// struct epoll_event is packed on x86_64 (__EPOLL_PACKED), 12 bytes:
//
//	0 events u32  4 data u64
const SizeofEpollEvent = 12

// EpollEvent is struct epoll_event.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

// Encode writes e into b[:12].
func (e EpollEvent) Encode(b []byte) {
	le.PutUint32(b[0:], e.Events)
	le.PutUint64(b[4:], e.Data)
}

// DecodeEpollEvent reads a struct epoll_event from b[:12].
func DecodeEpollEvent(b []byte) EpollEvent {
	return EpollEvent{le.Uint32(b[0:]), le.Uint64(b[4:])}
}

// SizeofPollFD is sizeof(struct pollfd):
//
//	0 fd i32  4 events i16  6 revents i16
const SizeofPollFD = 8

// PollFD is struct pollfd.
type PollFD struct {
	FD              int32
	Events, Revents uint16
}

// Encode writes p into b[:8].
func (p PollFD) Encode(b []byte) {
	le.PutUint32(b[0:], uint32(p.FD))
	le.PutUint16(b[4:], p.Events)
	le.PutUint16(b[6:], p.Revents)
}

// DecodePollFD reads a struct pollfd from b[:8].
func DecodePollFD(b []byte) PollFD {
	return PollFD{int32(le.Uint32(b[0:])), le.Uint16(b[4:]), le.Uint16(b[6:])}
}

// eventfd, timerfd and signalfd flags.
const (
	EFD_SEMAPHORE = 1
	EFD_CLOEXEC   = O_CLOEXEC
	EFD_NONBLOCK  = O_NONBLOCK

	TFD_CLOEXEC             = O_CLOEXEC
	TFD_NONBLOCK            = O_NONBLOCK
	TFD_TIMER_ABSTIME       = 1
	TFD_TIMER_CANCEL_ON_SET = 2
	SFD_CLOEXEC             = O_CLOEXEC
	SFD_NONBLOCK            = O_NONBLOCK
)

// The events a file without a poll method reports (DEFAULT_POLLMASK).
const DefaultPollMask = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM
