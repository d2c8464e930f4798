//go:build !linux

package vpcdsim

import "net"

// quickACK is a no-op where TCP_QUICKACK does not exist.
func quickACK(net.Conn) {}
