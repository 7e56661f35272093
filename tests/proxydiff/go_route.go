// go_route: the route Go's net/http takes for each case of gen_cases.py,
// as cert-manager's ACME client takes it (an http.Transport whose Proxy is
// ProxyFromEnvironment, i.e. golang.org/x/net/http/httpproxy reading the
// environment).
//
// Usage: go_route [-stdlib] < CASES > RESULTS
//
// The environment is set from the case and read afresh with x/net's
// httpproxy, the package net/http vendors. With -stdlib the transport's Proxy
// is net/http's ProxyFromEnvironment itself, as in cert-manager; it reads the
// environment once per process, so only the first case is answered. The
// transport's dialer
// records the address it is asked for and refuses: nothing is resolved or
// sent. Each result line is "ID<TAB>dial HOST:PORT" or "ID<TAB>error TEXT".
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

var errRefused = errors.New("refused by go_route")

var variables = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
	"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"}

func setEnv(fields []string) {
	for _, name := range variables {
		os.Unsetenv(name)
	}
	for _, f := range fields {
		if name, value, ok := strings.Cut(f, "="); ok {
			os.Setenv(name, value)
		}
	}
}

// route runs one request through a transport that stops at the dial.
func route(target string, stdlib bool) string {
	proxy := http.ProxyFromEnvironment
	if !stdlib {
		proxyFunc := httpproxy.FromEnvironment().ProxyFunc()
		proxy = func(req *http.Request) (*url.URL, error) {
			return proxyFunc(req.URL)
		}
	}
	dialed := ""
	transport := &http.Transport{
		Proxy: proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// What the real dialer rejects before any lookup, and
			// port 0, which no connect(2) reaches.
			_, port, err := net.SplitHostPort(addr)
			var n uint64
			if err == nil {
				n, err = strconv.ParseUint(port, 10, 16)
			}
			if err != nil || n == 0 {
				return nil, fmt.Errorf("invalid address %q", addr)
			}
			dialed = addr
			return nil, errRefused
		},
	}
	req, err := http.NewRequest("GET", target, nil)
	if err != nil {
		return "error request: " + err.Error()
	}
	_, err = transport.RoundTrip(req)
	if dialed != "" {
		return "dial " + dialed
	}
	if err == nil {
		return "error no dial and no error"
	}
	return "error " + strings.ReplaceAll(err.Error(), "\n", " ")
}

func main() {
	stdlib := flag.Bool("stdlib", false, "net/http's ProxyFromEnvironment, first case only")
	flag.Parse()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<16), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Split(in.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		setEnv(fields[2:])
		fmt.Fprintf(out, "%s\t%s\n", fields[0], route(fields[1], *stdlib))
		if *stdlib {
			break
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "go_route:", err)
		os.Exit(1)
	}
}
