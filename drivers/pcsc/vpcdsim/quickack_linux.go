package vpcdsim

import (
	"net"
	"syscall"
)

// quickACK asks Linux to acknowledge the next segments at once
// (TCP_QUICKACK, tcp(7); it is not sticky, so it is re-armed before each
// read). vpcd writes a message's length prefix and payload as two small
// segments with Nagle's algorithm on; with a delayed ACK on our side the
// payload would wait ~40 ms for it.
func quickACK(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
