// go_get.go - one GET through the transport cert-manager builds for its ACME
// client (pkg/acme/accounts/client.go): http.ProxyFromEnvironment, HTTP/1.1,
// the roots of a CA file, and the TLS versions of the Go a release is built
// with. Prints "ERR <error>" or "STATUS <code> <TLS version> <first body
// line>". Built offline with Debian's golang-go.
//
// usage: go_get URL CAFILE go1.17|go1.18
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go_get URL CAFILE go1.17|go1.18")
		os.Exit(2)
	}
	pem, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: roots}
	// Go 1.17 and older offered TLS 1.0 and 1.1 as a client; Go 1.18
	// raised the default minimum to 1.2 (this Go's default).
	if os.Args[3] == "go1.17" {
		cfg.MinVersion = tls.VersionTLS10
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     cfg,
			TLSHandshakeTimeout: 10 * time.Second,
		},
	}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		fmt.Println("ERR " + err.Error())
		return
	}
	defer resp.Body.Close()
	version := "none"
	if resp.TLS != nil {
		version = map[uint16]string{tls.VersionTLS10: "TLSv1", tls.VersionTLS11: "TLSv1.1",
			tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[resp.TLS.Version]
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	fmt.Printf("STATUS %d %s %s\n", resp.StatusCode, version, line)
}
