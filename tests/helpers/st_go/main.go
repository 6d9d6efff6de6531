// SPDX-License-Identifier: LGPL-2.1-or-later
// stgo, the static suite's Go program, built static (CGO_ENABLED=0) with
// Go 1.19 and Go 1.23; stdout is what bare and traced runs must print
// alike, lines with pids go to stderr:
//
//	stgo listen ADDR	listen on ADDR (port 80 as nobody), print the error
//	stgo wait		listen on 127.0.0.1, print the port, wait for a
//				signal (default dispositions)
//	stgo exec PORT DYN	print os.Executable() and /proc/self/cmdline, dial
//				127.0.0.1:PORT, then run itself ("child"), DYN child PORT, DYN child
//				PORT with an empty environment, env -i DYN child
//				PORT, and /nonexistent/prog
//	stgo child PORT	the static Go child: the same, and a dial
//	stgo mptcp ADDR	an MPTCP listener (mptcp_*.go), TCP_FASTOPEN set
//				after Listen, one echo served
//	stgo dial ADDR		dial ADDR, print the local address's family
//	stgo http N		a net/http server on 127.0.0.1 with keep-alive off,
//				ended once it answered N requests
//	stgo load URL N	N GETs of URL, 8 at a time, Connection: close
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func die(what string, err error) {
	fmt.Println(what+":", err)
	os.Exit(1)
}

// whoami: the lines a traced program must print as bare.
func whoami(label string) {
	exe, err := os.Executable()
	cl, _ := os.ReadFile("/proc/self/cmdline")
	args := strings.Split(strings.TrimRight(string(cl), "\x00"), "\x00")
	fmt.Printf("%s exe=%q err=%v cmdline=%q\n", label, exe, err, args)
	fmt.Fprintf(os.Stderr, "pid %d\n", os.Getpid())
}

func run(argv []string, env []string) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, env
	err := cmd.Run()
	fmt.Printf("ran %s: %v\n", argv[0], err)
}

func execChain(port, dyn string) {
	whoami("go parent")
	if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
		c.Close()
	} else {
		fmt.Println("go parent dial:", err)
	}
	exe, _ := os.Executable()
	run([]string{exe, "child", port}, nil)
	run([]string{dyn, "child", port}, nil)
	run([]string{dyn, "child", port}, []string{})
	run([]string{"/usr/bin/env", "-i", dyn, "child", port}, nil)
	run([]string{"/nonexistent/prog"}, nil)
}

func echoOnce(l net.Listener) {
	c, err := l.Accept()
	if err != nil {
		die("accept", err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Write([]byte(line))
	c.Close()
}

func httpServe(n int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen", err)
	}
	var served int64
	done := make(chan bool)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi\n")
		if atomic.AddInt64(&served, 1) == int64(n) {
			close(done)
		}
	})}
	srv.SetKeepAlivesEnabled(false)
	fmt.Println("port", l.Addr().(*net.TCPAddr).Port)
	go srv.Serve(l)
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	fmt.Println("served", atomic.LoadInt64(&served))
}

func load(url string, n int) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true},
		Timeout: 20 * time.Second}
	var wg sync.WaitGroup
	var ok, bad int64
	next := int64(-1)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for atomic.AddInt64(&next, 1) < int64(n) {
				r, err := c.Get(url)
				if err != nil {
					atomic.AddInt64(&bad, 1)
					continue
				}
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if string(b) == "hi\n" {
					atomic.AddInt64(&ok, 1)
				} else {
					atomic.AddInt64(&bad, 1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("ok", ok, "bad", bad)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: stgo listen|wait|exec|child|mptcp|dial|http|load ...")
		os.Exit(2)
	}
	arg := func(i int) string {
		if len(os.Args) > i {
			return os.Args[i]
		}
		return ""
	}
	switch os.Args[1] {
	case "listen":
		l, err := net.Listen("tcp", arg(2))
		if err != nil {
			die("listen", err)
		}
		l.Close()
		fmt.Println("listening")
	case "wait":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			die("listen", err)
		}
		fmt.Println("listening", l.Addr().(*net.TCPAddr).Port, "pid", os.Getpid())
		for {
			if c, err := l.Accept(); err == nil {
				c.Close()
			}
		}
	case "exec":
		execChain(arg(2), arg(3))
	case "child":
		whoami("go child")
		c, err := net.Dial("tcp", "127.0.0.1:"+arg(2))
		if err == nil {
			c.Close()
		}
		fmt.Println("go child dial:", err)
	case "mptcp":
		l := mptcpListen(arg(2))
		fmt.Println("tfo ok")
		echoOnce(l)
	case "dial":
		c, err := net.Dial("tcp", arg(2))
		if err != nil {
			die("dial", err)
		}
		ip := c.LocalAddr().(*net.TCPAddr).IP
		if ip.To4() != nil {
			fmt.Println("dialled over IPv4")
		} else {
			fmt.Println("dialled over IPv6")
		}
		c.Close()
	case "http":
		n, _ := strconv.Atoi(arg(2))
		httpServe(n)
	case "load":
		n, _ := strconv.Atoi(arg(3))
		load(arg(2), n)
	}
}
