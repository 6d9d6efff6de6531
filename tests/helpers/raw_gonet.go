// SPDX-License-Identifier: LGPL-2.1-or-later
// rawnet, the raw suite's Go program, built with cgo (dynamically linked,
// so libnetshim.so is preloaded and traps the runtime's socket calls):
//
//	rawnet dial HOST:PORT N     N connections one after another, each
//	                            sends a line and checks the echo; prints
//	                            the address dialled
//	rawnet serve ADDR N         accept N connections, echo a line each
//	rawnet load ADDR G N        a listener and G goroutines each dialling
//	                            N echoes at once, with runtime.GC between
//	rawnet listen ADDR          listen once, print the error or "ok"
//	rawnet wait ADDR            listen and block until a signal kills it
//	rawnet exec PROG ARG...     run PROG with an empty environment
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
)

func die(what string, err error) {
	fmt.Println(what+":", err)
	os.Exit(1)
}

func echo(c net.Conn) {
	defer c.Close()
	l, err := bufio.NewReader(c).ReadString('\n')
	if err == nil {
		c.Write([]byte(l))
	}
}

func roundTrip(addr, line string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		die("dial", err)
	}
	defer c.Close()
	fmt.Fprintln(c, line)
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || got != line+"\n" {
		die("echo", err)
	}
	return c.RemoteAddr().String()
}

func serve(l net.Listener, n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		c, err := l.Accept()
		if err != nil {
			die("accept", err)
		}
		wg.Add(1)
		go func() { echo(c); wg.Done() }()
	}
	wg.Wait()
}

func main() {
	atoi := func(i int) int {
		n, err := strconv.Atoi(os.Args[i])
		if err != nil {
			die("usage", err)
		}
		return n
	}
	switch os.Args[1] {
	case "dial":
		for i := 0; i < atoi(3); i++ {
			fmt.Println("dialled", roundTrip(os.Args[2], "hello"))
		}
	case "serve":
		l, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			die("listen", err)
		}
		fmt.Println("listening", l.Addr())
		serve(l, atoi(3))
	case "load":
		g, n := atoi(3), atoi(4)
		l, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			die("listen", err)
		}
		go serve(l, g*n)
		var wg sync.WaitGroup
		for i := 0; i < g; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for j := 0; j < n; j++ {
					roundTrip(l.Addr().String(),
						fmt.Sprint(i, j))
					if j%8 == 0 {
						runtime.GC()
					}
				}
			}(i)
		}
		wg.Wait()
		fmt.Println("done", g*n)
	case "listen":
		l, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			die("listen", err)
		}
		l.Close()
		fmt.Println("ok")
	case "wait":
		l, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			die("listen", err)
		}
		fmt.Println("listening", l.Addr())
		l.Accept()
	case "exec":
		cmd := exec.Command(os.Args[2], os.Args[3:]...)
		cmd.Env = []string{}
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			die("exec", err)
		}
	}
}
