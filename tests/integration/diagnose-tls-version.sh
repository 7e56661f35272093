#!/bin/bash
# diagnose-tls-version.sh - a CA that speaks only TLS 1.0 and 1.1: a real
# nginx in front of Pebble, limited to those versions. cert-manager v1.8
# (Go 1.17) offers TLS 1.0 to 1.3 and works, with a finding that v1.9 and
# later (Go 1.18: TLS 1.2 and 1.3 only) fail; v1.21.1 fails with Go's own
# text. Debian's Go, built offline with both clients' settings, says what
# each really gets from the same server first.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
# netns.sh for its JSON helpers only: this test needs no lab and no root
. "$(dirname "$0")/../lib/netns.sh"
command -v nginx >/dev/null || fail "nginx is not installed (contrib/install-deps.sh installs nginx-light)"
command -v go >/dev/null || fail "go is not installed (contrib/install-deps.sh installs golang-go)"
resolve_acmectl
pebble_start
PEBBLE_HOSTPORT=${PEBBLE_DIR_URL#https://}
PEBBLE_HOSTPORT=${PEBBLE_HOSTPORT%%/*}

# nginx: TLS 1.0 and 1.1 only (OpenSSL 3 needs security level 0 for them),
# relaying to Pebble with the Host it was asked for, so Pebble's URLs name
# the front
pebble_free_port OLD_PORT
NGX="$TEST_TMP/nginx"
mkdir -p "$NGX"
{
	[ "$(id -u)" != 0 ] || echo "user root;"
	cat <<NGINX
daemon off;
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
events { worker_connections 64; }
http {
	access_log $NGX/access.log;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	server {
		listen 127.0.0.1:$OLD_PORT ssl;
		ssl_certificate $TEST_TMP/pebble/server.pem;
		ssl_certificate_key $TEST_TMP/pebble/server.key;
		ssl_protocols TLSv1 TLSv1.1;
		ssl_ciphers DEFAULT:@SECLEVEL=0;
		location / {
			proxy_pass https://$PEBBLE_HOSTPORT;
			proxy_set_header Host \$http_host;
		}
	}
}
NGINX
} >"$NGX/nginx.conf"
nginx -e "$NGX/error.log" -c "$NGX/nginx.conf" -t >"$NGX/t.log" 2>&1 ||
	fail "nginx -t: $(cat "$NGX/t.log")"
spawn NGX_PID "$NGX/stderr.log" nginx -e "$NGX/error.log" -c "$NGX/nginx.conf"
wait_for_port "$OLD_PORT" 10 || fail "nginx did not start: $(cat "$NGX/error.log")"
OLD_URL="https://localhost:$OLD_PORT/dir"

# lab checks: the front speaks TLS 1.1 and not 1.2, and relays to Pebble
assert_true "lab check: TLS 1.1 handshake" sh -c "openssl s_client -connect 127.0.0.1:$OLD_PORT \
	-tls1_1 -cipher DEFAULT:@SECLEVEL=0 </dev/null >/dev/null 2>&1"
assert_false "lab check: no TLS 1.2 handshake" sh -c "openssl s_client -connect \
	127.0.0.1:$OLD_PORT -tls1_2 </dev/null >/dev/null 2>&1"

# Go's own clients, as cert-manager v1.8 (Go 1.17) and v1.9+ build them
env GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$TEST_TMP/gocache" \
	go build -o "$TEST_TMP/go_get" "$TESTS_SRCDIR/lib/go_get.go" ||
	fail "go_get did not build"
GO117=$("$TEST_TMP/go_get" "$OLD_URL" "$PEBBLE_CA" go1.17)
GO118=$("$TEST_TMP/go_get" "$OLD_URL" "$PEBBLE_CA" go1.18)
assert_contains "$GO117" "STATUS 200 TLSv1.1" "Go with Go 1.17's versions: the directory over TLS 1.1"
GO_TEXT="Get \"$OLD_URL\": remote error: tls: protocol version not supported"
assert_eq "ERR $GO_TEXT" "$GO118" "Go 1.18's versions: the server refuses, in Go's words"

# cert-manager v1.8.0: works, and the finding names what an upgrade meets
run_acmectl --json diagnose --server "$OLD_URL" --ca-bundle "$PEBBLE_CA" --timeout 5 \
	--cert-manager-version v1.8.0 --email admin@acmectl.example
assert_rc 0 "v1.8.0 against TLS 1.1 only: ok"
assert_eq ok "$(json_field "$OUT" verdict)" "v1.8.0: verdict ok"
assert_eq ok "$(json_step "$OUT" tls status)" "v1.8.0: the tls step passed"
assert_contains "$(json_step "$OUT" tls detail)" "TLSv1.1" "v1.8.0: over TLS 1.1"
assert_contains "$(json_ids "$OUT" findings)" tls_legacy_version "v1.8.0: finding tls_legacy_version"
assert_contains "$OUT" "fail there: ${GO_TEXT//\"/\\\"}; enable TLS 1.2" \
	"v1.8.0: the finding quotes what v1.9.0 and later meet, as Go says it"

# Pebble itself speaks TLS 1.3: v1.8.0's wider offer changes nothing there
run_acmectl --json diagnose --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout 5 \
	--cert-manager-version v1.8.0 --email admin@acmectl.example
assert_eq ok "$(json_field "$OUT" verdict)" "v1.8.0 against Pebble: verdict ok"
assert_contains "$(json_step "$OUT" tls detail)" "TLSv1.3" "v1.8.0 against Pebble: TLS 1.3"
assert_not_contains "$(json_ids "$OUT" findings)" tls_legacy_version \
	"v1.8.0 against Pebble: no legacy finding"

# cert-manager v1.21.1: fails at the handshake with Go's text
run_acmectl --json diagnose --server "$OLD_URL" --ca-bundle "$PEBBLE_CA" --timeout 5 \
	--cert-manager-version v1.21.1 --email admin@acmectl.example
assert_rc 1 "v1.21.1 against TLS 1.1 only: a fault"
assert_eq tls_failed "$(json_field "$OUT" verdict)" "v1.21.1: verdict tls_failed"
assert_eq "Failed to register ACME account: $GO_TEXT" "$(json_field "$OUT" cert_manager.message)" \
	"v1.21.1: cert-manager's condition, with Go's text"
assert_not_contains "$(json_ids "$OUT" findings)" tls_legacy_version "v1.21.1: no legacy finding"
assert_contains "$OUT" "enable TLS 1.2 on the server" "v1.21.1: the advice names the fix"

test_done
