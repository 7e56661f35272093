#!/bin/bash
# proxy-bypass.sh - no-proxy lists against a real tinyproxy, from a client
# that can reach Pebble both directly and through the proxy: what `proxy
# explain --json` predicts is what happens, proven by tinyproxy's log (no
# CONNECT when bypassed). NO_PROXY, --no-proxy and the config file; the
# entries Go and curl read differently (*.name, host:port, an IP for a
# name, upper/lower case variables) under both --proxy-rules.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_lab_proxied
# a direct path too: client <-> server, and the server's proxy-side address
# (the one acme.test names) routed over it
netns_link client server
netns_route client "$(netns_prefix proxy server)" "$(netns_ip server client)"
assert_true "client reaches Pebble directly" \
	nsx client curl -sf --max-time 5 --cacert "$PEBBLE_CA" -o /dev/null "$PEBBLE_DIR_URL"

# explain URL ENV...: proxy explain --json for URL with ENV set; the fields
# land in GO, CURL (routes), GO_REASON and WARN (warning ids).
explain() {
	local url=$1
	shift
	env "$@" "$TEST_TMP/acmectl-in-client" proxy explain "$url" --json \
		>"$TEST_TMP/explain.json" 2>"$TEST_TMP/explain.err" || true
	OUT=$(cat "$TEST_TMP/explain.json")
	GO=$(json_field "$OUT" go.route)
	CURL=$(json_field "$OUT" curl.route)
	GO_REASON=$(json_field "$OUT" go.reason)
	WARN=$(json_ids "$OUT" warnings)
}
resolve_acmectl
export NETNS_ACMECTL=$ACMECTL

# issue_counted DESC ARGS...: issues NAME (last arg) with ARGS and sets
# CONNECTS to the CONNECT lines it caused.
issue_counted() {
	local desc=$1 before
	shift
	before=$(tinyproxy_connects)
	lab_acme -v issue --webroot "$WWW" "$@"
	assert_rc 0 "$desc"
	CONNECTS=$(($(tinyproxy_connects) - before))
}

lab_acme account register --agree-tos --email admin@acmectl.example
assert_rc 0 "account registered directly (no proxy set)"
assert_eq 0 "$(tinyproxy_connects)" "no CONNECT without a proxy"

# NO_PROXY naming the host: both rule sets go direct
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" NO_PROXY=acme.test
assert_eq "direct direct" "$GO $CURL" "explain: NO_PROXY=acme.test is direct under go and curl"
assert_contains "$GO_REASON" "acme.test" "explain: the reason names the entry"
HTTPS_PROXY=$PROXY_NAME_URL NO_PROXY=acme.test issue_counted "issue with NO_PROXY=acme.test" a.test
assert_eq 0 "$CONNECTS" "NO_PROXY=acme.test: no CONNECT"
assert_contains "$ERR" "direct (NO_PROXY entry \"acme.test\")" "-v: direct and the entry"

# an IP entry for a host name never matches: still proxied
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" NO_PROXY="$SERVER_IP"
assert_eq "proxy proxy" "$GO $CURL" "explain: NO_PROXY=<server IP> does not bypass"
assert_contains ",$WARN," ",no_proxy_ip_entry," "explain warns no_proxy_ip_entry"
HTTPS_PROXY=$PROXY_NAME_URL NO_PROXY=$SERVER_IP issue_counted "issue with NO_PROXY=<server IP>" b.test
assert_true "NO_PROXY=<server IP>: proxied anyway ($CONNECTS CONNECT)" test "$CONNECTS" -gt 0

# *.test: Go reads it as .test (matches), curl never matches it
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" NO_PROXY='*.test'
assert_eq "direct proxy" "$GO $CURL" "explain: NO_PROXY=*.test: go direct, curl proxy"
assert_contains ",$WARN," ",wildcard_entry," "explain warns wildcard_entry"
HTTPS_PROXY=$PROXY_NAME_URL NO_PROXY='*.test' issue_counted "issue with NO_PROXY=*.test (go rules)" c.test
assert_eq 0 "$CONNECTS" "NO_PROXY=*.test, go rules: no CONNECT"
HTTPS_PROXY=$PROXY_NAME_URL NO_PROXY='*.test' issue_counted "issue with NO_PROXY=*.test (curl rules)" \
	--proxy-rules curl d.test
assert_true "NO_PROXY=*.test, curl rules: proxied ($CONNECTS CONNECT)" test "$CONNECTS" -gt 0

# host:port: Go compares the port, curl does not support it
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" NO_PROXY=acme.test:14000
assert_eq "direct proxy" "$GO $CURL" "explain: NO_PROXY=acme.test:14000: go direct, curl proxy"
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" NO_PROXY=acme.test:443
assert_eq "proxy proxy" "$GO $CURL" "explain: NO_PROXY=acme.test:443 (other port): proxy"

# upper and lower case disagree: Go reads HTTPS_PROXY, curl https_proxy
explain "$PEBBLE_DIR_URL" HTTPS_PROXY="$PROXY_NAME_URL" https_proxy=http://proxy.test:1
assert_contains ",$WARN," ",proxy_env_case_conflict," "explain warns proxy_env_case_conflict"
assert_eq "$PROXY_NAME_URL" "$(json_field "$OUT" go.proxy)" "explain: go uses HTTPS_PROXY"
assert_eq "http://proxy.test:1" "$(json_field "$OUT" curl.proxy)" "explain: curl uses https_proxy"
HTTPS_PROXY=$PROXY_NAME_URL https_proxy=http://proxy.test:1 issue_counted \
	"issue with HTTPS_PROXY and a different https_proxy (go rules)" e.test
assert_true "go rules took HTTPS_PROXY ($CONNECTS CONNECT)" test "$CONNECTS" -gt 0
HTTPS_PROXY=$PROXY_NAME_URL https_proxy=http://proxy.test:1 lab_acme --proxy-rules curl \
	issue --webroot "$WWW" f.test
assert_rc 3 "curl rules take https_proxy (a closed port)"

# loopback is never proxied under Go rules
explain https://localhost:14000/dir HTTPS_PROXY="$PROXY_NAME_URL"
assert_eq "direct proxy" "$GO $CURL" "explain: localhost: go direct, curl proxy"
assert_contains ",$WARN," ",loopback_direct," "explain warns loopback_direct"

# --no-proxy beats NO_PROXY and bypasses
HTTPS_PROXY=$PROXY_NAME_URL issue_counted "issue with --no-proxy acme.test" --no-proxy acme.test g.test
assert_eq 0 "$CONNECTS" "--no-proxy acme.test: no CONNECT"
assert_contains "$ERR" "direct (--no-proxy entry \"acme.test\")" "-v: direct by --no-proxy"
HTTPS_PROXY=$PROXY_NAME_URL NO_PROXY=acme.test issue_counted "--no-proxy other.test replaces NO_PROXY" \
	--no-proxy other.test h.test
assert_true "--no-proxy other.test: proxied ($CONNECTS CONNECT)" test "$CONNECTS" -gt 0

# the config file: proxy and no-proxy
printf 'proxy = %s\nno-proxy = acme.test\n' "$PROXY_NAME_URL" >"$TEST_TMP/bypass.conf"
issue_counted "issue with config proxy + no-proxy" --config "$TEST_TMP/bypass.conf" i.test
assert_eq 0 "$CONNECTS" "config no-proxy = acme.test: no CONNECT"
assert_contains "$ERR" "direct (" "-v: direct by the config file"
printf 'proxy = %s\nno-proxy = other.test\n' "$PROXY_NAME_URL" >"$TEST_TMP/proxied.conf"
issue_counted "issue with config proxy, no-proxy for another name" --config "$TEST_TMP/proxied.conf" j.test
assert_true "config proxy used ($CONNECTS CONNECT)" test "$CONNECTS" -gt 0

printf 'proxy = %s\nno-proxy = acme.test\nbogus = 1\n' "$PROXY_NAME_URL" >"$TEST_TMP/bad.conf"
lab_acme --config "$TEST_TMP/bad.conf" issue --webroot "$WWW" k.test
assert_rc 2 "unknown config key"
assert_contains "$ERR" "$TEST_TMP/bad.conf:3" "the error names FILE:LINE"

test_done
