#!/bin/bash
# diagnose-basic.sh - `acmectl diagnose` against one Pebble on a direct
# link: healthy; a blackholed address (connect_timeout within the step
# deadline + 1 s, and cert-manager 1.1's bare "context deadline exceeded");
# a closed port (connect_refused); an unknown CA (tls_untrusted); a name the
# certificate does not cover (tls_name_mismatch); a path that is no ACME
# directory (not_acme_directory, a 4xx Go does not retry); ports answering
# the client hello in HTTP or not at all in TLS (tls_failed with Go's
# texts); a 301 to the directory (followed, ok). Each asserts the verdict,
# the exit code and how long it took.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_client_server
DARK_IP=$(netns_free client server 20)
netns_blackhole client server "$DARK_IP"
netns_hosts client "$SERVER_IP acme.test wrong.test" "$DARK_IP dark.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
netns_ca "$TEST_TMP/lab" other
T=2 # --timeout: each network step's deadline, seconds

# lab checks: what each case does to curl
assert_eq 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" "lab check: healthy"
assert_eq 28 "$(netns_curl_rc client --cacert "$PEBBLE_CA" https://dark.test:14000/dir)" \
	"lab check: dark.test times out"
assert_eq 7 "$(netns_curl_rc client --cacert "$PEBBLE_CA" https://acme.test:14009/dir)" \
	"lab check: port 14009 refused"
assert_eq 60 "$(netns_curl_rc client --cacert "$TEST_TMP/lab/other.pem" "$PEBBLE_DIR_URL")" \
	"lab check: other CA untrusted"
assert_eq 60 "$(netns_curl_rc client --cacert "$PEBBLE_CA" https://wrong.test:14000/dir)" \
	"lab check: wrong.test not in the certificate"

# healthy
netns_diagnose client --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout $T \
	--email admin@acmectl.example
assert_verdict ok "healthy Pebble"
assert_true "JSON output" is_json_object "$OUT"
assert_faster 3000 "healthy: fast"
for step in dns tcp tls http nonce; do
	assert_eq ok "$(json_step "$OUT" $step status)" "healthy: step $step ok"
done
assert_ne "" "$(json_field "$OUT" cert_manager.version)" "healthy: cert_manager.version set"

# blackholed address: an unanswered SYN
netns_diagnose client --server https://dark.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict connect_timeout "blackholed server"
assert_faster $((T * 1000 + 1000)) "blackhole: verdict within the step deadline + 1 s"
assert_slower $((T * 1000 - 100)) "blackhole: waited for the step deadline"
assert_eq fail "$(json_step "$OUT" tcp status)" "blackhole: step tcp failed"

netns_diagnose client --server https://dark.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout $T \
	--cert-manager-version 1.1.0
assert_verdict connect_timeout "blackholed server, cert-manager 1.1.0"
assert_faster $((T * 1000 + 1000)) "blackhole 1.1.0: within the step deadline + 1 s"
assert_eq "Failed to verify ACME account: context deadline exceeded" "$CM_MESSAGE" \
	"blackhole 1.1.0: cert-manager shows the bare deadline"
assert_eq ErrRegisterACMEAccount "$(json_field "$OUT" cert_manager.reason)" \
	"blackhole 1.1.0: reason ErrRegisterACMEAccount"

# closed port: an RST
netns_diagnose client --server https://acme.test:14009/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict connect_refused "closed port"
assert_faster 1500 "closed port: at once"
assert_contains "$CM_MESSAGE" "connect: connection refused" "closed port: Go's wording"

# a CA the client does not trust
netns_diagnose client --server "$PEBBLE_DIR_URL" --ca-bundle "$TEST_TMP/lab/other.pem" --timeout $T
assert_verdict tls_untrusted "unknown CA"
assert_faster 3000 "unknown CA: fast"
assert_eq fail "$(json_step "$OUT" tls status)" "unknown CA: step tls failed"
assert_contains "$CM_MESSAGE" "x509:" "unknown CA: cert-manager shows an x509 error"

# a name the certificate does not cover
netns_diagnose client --server https://wrong.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict tls_name_mismatch "wrong name"
assert_faster 3000 "wrong name: fast"
assert_contains "$CM_MESSAGE" "not wrong.test" "wrong name: Go's x509 wording names the host"
assert_contains "$CM_MESSAGE" "acme.test" "wrong name: and the names the certificate has"

# an https URL that is not an ACME directory: Pebble's 404 is an
# *acme.Error 4xx in Go's client, not retried (no ErrInitIssuer)
netns_diagnose client --server https://acme.test:14000/not-a-directory --ca-bundle "$PEBBLE_CA" \
	--timeout $T
assert_verdict not_acme_directory "not a directory"
assert_faster 3000 "not a directory: fast"
assert_contains "$CM_MESSAGE" "Failed to register ACME account: 404 : " \
	"not a directory: Go's *acme.Error text"
assert_not_contains "$(json_field "$OUT" cert_manager.events)" ErrInitIssuer \
	"not a directory: a 4xx is not retried, no ErrInitIssuer"

# ports that answer the client hello without TLS: an HTTP server (Go
# names it by the "HTTP/" of its answer) and an SSH-like banner
netns_spawn RAW_PID "$TEST_TMP/raw.log" server python3 -c '
import socket, sys, threading
def serve(port, answer):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        c.recv(4096)
        c.sendall(answer)
        c.close()
threading.Thread(target=serve, args=(14080, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), daemon=True).start()
serve(14022, b"SSH-2.0-OpenSSH_9.2\r\n")
' "$SERVER_IP"
netns_wait_port server "$SERVER_IP" 14022 10 || fail "raw answer server did not start"
netns_wait_port server "$SERVER_IP" 14080 10 || fail "raw answer server did not start"
# a directory URL that redirects (301) to Pebble's: Go follows it, so
# cert-manager works; the step says where it led
netns_cert "$TEST_TMP/lab" other redir acme.test
cat "$PEBBLE_CA" "$TEST_TMP/lab/other.pem" >"$TEST_TMP/both-cas.pem"
netns_spawn REDIR_PID "$TEST_TMP/redir.log" server python3 -c '
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
while True:
    c, _ = s.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.recv(65536)
        t.sendall(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://acme.test:14000/dir\r\n"
                  b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        t.close()
    except (OSError, ssl.SSLError):
        c.close()
' "$SERVER_IP" 14443 "$TEST_TMP/lab/redir.pem" "$TEST_TMP/lab/redir.key"
netns_wait_port server "$SERVER_IP" 14443 10 || fail "redirecting server did not start"
netns_diagnose client --server https://acme.test:14443/directory --ca-bundle "$TEST_TMP/both-cas.pem" \
	--timeout $T
assert_verdict ok "301 to the directory: followed as Go does"
assert_contains "$(json_step "$OUT" http detail)" "redirected to https://acme.test:14000/dir" \
	"301: the http step names where it led"
assert_eq ok "$(json_step "$OUT" nonce status)" "301: the nonce step runs on"

netns_diagnose client --server https://acme.test:14080/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict tls_failed "plain HTTP port"
assert_contains "$CM_MESSAGE" '"https://acme.test:14080/dir": http: server gave HTTP response to HTTPS client' \
	"plain HTTP port: Go's text, not OpenSSL's"
netns_diagnose client --server https://acme.test:14022/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict tls_failed "SSH port"
assert_contains "$CM_MESSAGE" "tls: first record does not look like a TLS handshake" \
	"SSH port: Go's text"

test_done
