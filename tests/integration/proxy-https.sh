#!/bin/bash
# proxy-https.sh - issuance through an https:// proxy (TLS to the proxy,
# CONNECT inside that TLS): stunnel terminating TLS in front of tinyproxy,
# with a certificate made here by openssl from a CA of its own, not Pebble's.
# The proxy's certificate is verified like the server's, against the system
# store (SSL_CERT_FILE and SSL_CERT_DIR honoured, as Go does) plus
# --ca-bundle; an untrusted one is exit 3 naming the proxy. The wrong scheme
# either way, and a proxy that never answers CONNECT inside TLS, are exit 3
# with a line saying where it stopped.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_lab_proxied
LAB="$TEST_TMP/lab"
netns_ca "$LAB" proxyca
netns_cert "$LAB" proxyca proxy proxy.test
netns_stunnel_start proxy "$PROXY_IP" 3129 "$LAB/proxy.pem" "$LAB/proxy.key" \
	"$PROXY_IP:$NETNS_PROXY_PORT"
TLS_PROXY=https://proxy.test:3129
cat "$PEBBLE_CA" "$LAB/proxyca.pem" >"$TEST_TMP/both.pem"
mkdir -p "$TEST_TMP/certdir"
cp "$LAB/proxyca.pem" "$TEST_TMP/certdir/"
openssl rehash "$TEST_TMP/certdir" >/dev/null 2>&1 || fail "openssl rehash failed"

# lab checks: curl gets through with the proxy's CA only
assert_eq 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" --proxy-cacert "$LAB/proxyca.pem" \
	-x "$TLS_PROXY" "$PEBBLE_DIR_URL")" "lab check: curl through the https proxy"
assert_ne 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" --proxy-cacert "$PEBBLE_CA" \
	-x "$TLS_PROXY" "$PEBBLE_DIR_URL")" "lab check: curl refuses the proxy without its CA"

# the proxy's CA is neither in the system store nor in --ca-bundle
BEFORE=$(tinyproxy_connects)
HTTPS_PROXY=$TLS_PROXY lab_acme issue --webroot "$WWW" --email admin@acmectl.example \
	--agree-tos untrusted.test
assert_rc 3 "untrusted proxy certificate"
assert_contains "$ERR" "TLS handshake with proxy $TLS_PROXY failed: certificate verify failed" \
	"the error names the proxy and the check"
assert_contains "$ERR" "SSL_CERT_FILE" "the error says where the proxy's CA goes"
assert_not_contains "$ERR" "acme.test" "the error is about the proxy, not the ACME server"
assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "one line"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "no CONNECT through an untrusted proxy"
assert_no_file "$STATE/certs/untrusted.test"
assert_contains "$(cat "$STUNNEL_LOG")" "alert unknown ca" "the proxy saw the client refuse it"

# SSL_CERT_FILE holds the proxy's CA, --ca-bundle Pebble's
BEFORE=$(tinyproxy_connects acme.test:14000)
SSL_CERT_FILE=$LAB/proxyca.pem HTTPS_PROXY=$TLS_PROXY lab_acme -v issue --webroot "$WWW" \
	--email admin@acmectl.example --agree-tos one.test
assert_rc 0 "issue through the https proxy, its CA from SSL_CERT_FILE"
assert_cert_issued "$STATE/certs/one.test" one.test
AFTER=$(tinyproxy_connects acme.test:14000)
assert_true "tinyproxy behind stunnel logged CONNECT acme.test:14000 ($BEFORE -> $AFTER)" \
	test "$AFTER" -gt "$BEFORE"
assert_contains "$ERR" "via $TLS_PROXY (HTTPS_PROXY)" "-v logs the https proxy"
assert_not_contains "$ERR" " direct" "no request went direct"

# --ca-bundle alone holds both CAs
BEFORE=$AFTER
netns_acmectl client --server "$PEBBLE_DIR_URL" --ca-bundle "$TEST_TMP/both.pem" \
	--state-dir "$STATE" --proxy "$TLS_PROXY" issue --webroot "$WWW" two.test
assert_rc 0 "issue through the https proxy, its CA from --ca-bundle"
assert_cert_issued "$STATE/certs/two.test" two.test
AFTER=$(tinyproxy_connects acme.test:14000)
assert_true "CONNECT logged with --ca-bundle ($BEFORE -> $AFTER)" test "$AFTER" -gt "$BEFORE"

# SSL_CERT_DIR, a hashed directory holding the proxy's CA
SSL_CERT_DIR=$TEST_TMP/certdir lab_acme --proxy "$TLS_PROXY" issue --webroot "$WWW" three.test
assert_rc 0 "issue through the https proxy, its CA from SSL_CERT_DIR"
assert_cert_issued "$STATE/certs/three.test" three.test

# https:// for the plain tinyproxy: it reads the TLS hello as a request
# line, so it never answers, or, when the hello's random bytes hold a
# newline, answers 400 in the clear ("wrong version number"): either way
# the one line names the TLS handshake with the proxy
T0=$(now_ms)
SSL_CERT_FILE=$LAB/proxyca.pem lab_acme --timeout 2 --proxy "https://proxy.test:$NETNS_PROXY_PORT" \
	issue --webroot "$WWW" four.test
ELAPSED_MS=$(($(now_ms) - T0))
assert_rc 3 "https:// for a plain http proxy"
assert_contains "$ERR" "TLS handshake with proxy https://proxy.test:$NETNS_PROXY_PORT" \
	"the error says the TLS handshake with the proxy did not finish"
assert_faster 10000 "https:// for a plain proxy: within --timeout, not 30 s"

# http:// for the TLS port: the CONNECT in the clear is dropped
BEFORE=$(tinyproxy_connects)
lab_acme --proxy "http://proxy.test:3129" issue --webroot "$WWW" five.test
assert_rc 3 "http:// for a TLS proxy"
assert_contains "$ERR" "proxy http://proxy.test:3129" "the error names the proxy"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "http:// for a TLS proxy: no CONNECT reached tinyproxy"

# TLS with the proxy works, but nothing answers CONNECT inside it
netns_dud_start proxy "$PROXY_IP" 3140 silent
netns_stunnel_start proxy "$PROXY_IP" 3131 "$LAB/proxy.pem" "$LAB/proxy.key" "$PROXY_IP:3140"
T0=$(now_ms)
SSL_CERT_FILE=$LAB/proxyca.pem lab_acme --timeout 2 --proxy https://proxy.test:3131 \
	issue --webroot "$WWW" six.test
ELAPSED_MS=$(($(now_ms) - T0))
assert_rc 3 "https proxy silent after TLS"
assert_contains "$ERR" "waiting for proxy https://proxy.test:3131 to CONNECT to acme.test:14000" \
	"the error says the TLS handshake worked and CONNECT got no answer"
assert_faster 10000 "silent https proxy: within --timeout"

test_done
