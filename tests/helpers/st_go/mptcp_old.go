// SPDX-License-Identifier: LGPL-2.1-or-later
// The MPTCP listener for Go before 1.21, which has no SetMultipathTCP:
// the socket made by syscall.Socket(IPPROTO_MPTCP), bound and listening,
// then TCP_FASTOPEN set after listen, as Go 1.24's net package and
// servers do, then handed to net.FileListener.

//go:build !go1.21

package main

import (
	"net"
	"os"
	"strconv"
	"syscall"
)

func mptcpListen(addr string) net.Listener {
	host, p, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host).To4() == nil {
		die("address", err)
	}
	port, _ := strconv.Atoi(p)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 262)
	if err != nil {
		die("socket", err)
	}
	sa := &syscall.SockaddrInet4{Port: port}
	copy(sa.Addr[:], net.ParseIP(host).To4())
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err = syscall.Bind(fd, sa); err != nil {
		die("bind", err)
	}
	if err = syscall.Listen(fd, 64); err != nil {
		die("listen", err)
	}
	// TCP_FASTOPEN (23), a queue of 5.
	if err = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, 23, 5); err != nil {
		die("tfo", err)
	}
	f := os.NewFile(uintptr(fd), "mptcp")
	l, err := net.FileListener(f)
	if err != nil {
		die("listener", err)
	}
	f.Close()
	return l
}
