// SPDX-License-Identifier: LGPL-2.1-or-later
// The MPTCP listener of Go 1.21 and later: the net package's own code,
// ListenConfig.SetMultipathTCP(true) (Go 1.24's default), then
// TCP_FASTOPEN set on it after Listen, as servers do.

//go:build go1.21

package main

import (
	"context"
	"net"
	"syscall"
)

func mptcpListen(addr string) net.Listener {
	var lc net.ListenConfig
	lc.SetMultipathTCP(true)
	l, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		die("listen", err)
	}
	rc, _ := l.(*net.TCPListener).SyscallConn()
	var serr error
	rc.Control(func(fd uintptr) {
		// TCP_FASTOPEN (23), a queue of 5.
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, 23, 5)
	})
	if serr != nil {
		die("tfo", serr)
	}
	return l
}
