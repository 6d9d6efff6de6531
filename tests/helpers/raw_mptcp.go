// SPDX-License-Identifier: LGPL-2.1-or-later
// rawmptcp, built with Go 1.23 and cgo: a listener opened the way Go 1.24
// does by default (ListenConfig.SetMultipathTCP(true)), then TCP_FASTOPEN
// set on it after Listen, as servers do; prints the outcome and serves
// one echo so a client can check it works.
//
//	rawmptcp ADDR
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
)

func main() {
	var lc net.ListenConfig
	lc.SetMultipathTCP(true)
	l, err := lc.Listen(context.Background(), "tcp", os.Args[1])
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	rc, _ := l.(*net.TCPListener).SyscallConn()
	var serr error
	rc.Control(func(fd uintptr) {
		// TCP_FASTOPEN (23), a queue of 5.
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, 23, 5)
	})
	if serr != nil {
		fmt.Println("tfo:", serr)
		os.Exit(1)
	}
	fmt.Println("tfo ok")
	c, err := l.Accept()
	if err != nil {
		fmt.Println("accept:", err)
		os.Exit(1)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Write([]byte(line))
	c.Close()
}
