#!/bin/bash
# diagnose-https-proxy.sh - `acmectl diagnose` through an https:// proxy:
# stunnel terminating TLS in front of tinyproxy, with a certificate made here
# by openssl from a CA of its own; the client reaches Pebble only through it.
# ok (TLS with the proxy, CONNECT inside, the server's TLS inside that);
# the proxy's CA missing (proxy_tls_untrusted) or its certificate for
# another name; https:// for the plain tinyproxy (proxy_speaks_http);
# http:// for the TLS port (proxy_speaks_tls); a port that speaks neither
# (proxy_tls_failed). Each checks verdict, exit code and time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_lab_proxied
netns_hosts client "$PROXY_IP proxy-alias.test"
LAB="$TEST_TMP/lab"
netns_ca "$LAB" proxyca
netns_cert "$LAB" proxyca proxy proxy.test
netns_stunnel_start proxy "$PROXY_IP" 3129 "$LAB/proxy.pem" "$LAB/proxy.key" \
	"$PROXY_IP:$NETNS_PROXY_PORT"
netns_dud_start proxy "$PROXY_IP" 3141 close
T=2
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")

# lab check: the client has no way to Pebble but the proxy
assert_ne 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" \
	"lab check: no direct route"

# all well: TLS with the proxy, CONNECT inside it, TLS with Pebble inside that
BEFORE=$(tinyproxy_connects acme.test:14000)
SSL_CERT_FILE=$LAB/proxyca.pem HTTPS_PROXY=https://proxy.test:3129 netns_diagnose client "${D[@]}"
assert_verdict ok "https proxy, its CA from SSL_CERT_FILE"
assert_faster 5000 "https proxy: fast"
assert_true "diagnose went through tinyproxy behind stunnel (CONNECT logged)" \
	test "$(tinyproxy_connects acme.test:14000)" -gt "$BEFORE"
assert_eq ok "$(json_step "$OUT" proxy status)" "step proxy ok"
assert_contains "$(json_step "$OUT" proxy detail)" "TLS with proxy proxy.test:3129: TLSv1." \
	"the proxy step shows the TLS with the proxy"
assert_contains "$(json_step "$OUT" proxy detail)" "issuer CN=acmectl lab proxyca" \
	"the proxy step names the proxy's issuer"
assert_contains "$(json_step "$OUT" proxy detail)" "CONNECT acme.test:14000 -> 200" \
	"the proxy step shows CONNECT inside TLS"
assert_eq ok "$(json_step "$OUT" tls status)" "step tls ok (TLS inside the proxy's TLS)"
assert_eq ok "$(json_step "$OUT" nonce status)" "step nonce ok"

# the proxy's CA in --ca-bundle instead
cat "$PEBBLE_CA" "$LAB/proxyca.pem" >"$TEST_TMP/both.pem"
netns_diagnose client --server "$PEBBLE_DIR_URL" --ca-bundle "$TEST_TMP/both.pem" \
	--timeout "$T" --proxy https://proxy.test:3129
assert_verdict ok "https proxy, its CA from --ca-bundle"

# the proxy's CA nowhere
BEFORE=$(tinyproxy_connects)
HTTPS_PROXY=https://proxy.test:3129 netns_diagnose client "${D[@]}"
assert_verdict proxy_tls_untrusted "the proxy's CA is not trusted"
assert_faster 5000 "untrusted proxy: fast"
assert_contains "$CM_MESSAGE" "proxyconnect tcp: tls: failed to verify certificate: x509: certificate signed by unknown authority" \
	"cert-manager's message for an untrusted proxy"
assert_contains "$OUT" "set SSL_CERT_FILE to its path in the Deployment" \
	"advice: SSL_CERT_FILE for cert-manager"
assert_contains "$OUT" "CN=acmectl lab proxyca" "advice names the CA to trust"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "no CONNECT through an untrusted proxy"
assert_eq skip "$(json_step "$OUT" tls status)" "step tls not run"

# a name the proxy's certificate does not hold
SSL_CERT_FILE=$LAB/proxyca.pem netns_diagnose client "${D[@]}" \
	--proxy https://proxy-alias.test:3129
assert_verdict proxy_tls_untrusted "the proxy's certificate is for another name"
assert_contains "$CM_MESSAGE" "certificate is valid for proxy.test, not proxy-alias.test" \
	"cert-manager's message for the proxy's name"

# https:// for the plain tinyproxy: no TLS answer, a CONNECT in the clear works
HTTPS_PROXY=https://proxy.test:$NETNS_PROXY_PORT netns_diagnose client "${D[@]}"
assert_verdict proxy_speaks_http "https:// for a plain http proxy"
assert_faster $((T * 1000 + 3000)) "https:// for a plain proxy: within the step deadline + 3 s"
assert_contains "$OUT" "write it as http://proxy.test:$NETNS_PROXY_PORT" \
	"advice: the http:// URL to use"
assert_contains "$CM_MESSAGE" "proxyconnect tcp: net/http: TLS handshake timeout" \
	"cert-manager's message for TLS to a plain proxy"

# http:// for the TLS port: the CONNECT in the clear is dropped, TLS works
BEFORE=$(tinyproxy_connects)
SSL_CERT_FILE=$LAB/proxyca.pem HTTPS_PROXY=http://proxy.test:3129 netns_diagnose client "${D[@]}"
assert_verdict proxy_speaks_tls "http:// for a TLS proxy"
assert_faster 5000 "http:// for a TLS proxy: fast"
assert_contains "$OUT" "write it as https://proxy.test:3129" "advice: the https:// URL to use"
assert_not_contains "$OUT" "set SSL_CERT_FILE" "no trust advice when its CA is trusted"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "http:// for a TLS proxy: no CONNECT reached tinyproxy"
HTTPS_PROXY=http://proxy.test:3129 netns_diagnose client "${D[@]}"
assert_verdict proxy_speaks_tls "http:// for a TLS proxy whose CA is unknown"
assert_contains "$OUT" "set SSL_CERT_FILE to its path in the Deployment" \
	"advice: trust its CA too"

# a port that closes at once: neither TLS nor HTTP
HTTPS_PROXY=https://proxy.test:3141 netns_diagnose client "${D[@]}"
assert_verdict proxy_tls_failed "https:// for a port that speaks neither"
assert_faster 5000 "neither TLS nor HTTP: fast"

test_done
