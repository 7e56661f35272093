#!/bin/bash
# proxy-auth.sh - a tinyproxy with BasicAuth is the client's only way to
# Pebble: 407 without or with wrong credentials (exit 3, the message names
# 407), issuance with user:pass@ in the URL and with --proxy-auth-file, the
# credentials never printed; CONNECT refused by the proxy (403), a closed
# proxy port and a proxy that never answers (exit 3, in time).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_lab_proxied labuser 's3cret-Pw'
AUTH_URL="http://labuser:s3cret-Pw@proxy.test:$NETNS_PROXY_PORT"

# no credentials
HTTPS_PROXY=$PROXY_NAME_URL lab_acme account register --agree-tos --email admin@acmectl.example
assert_rc 3 "no proxy credentials"
assert_contains "$ERR" "407" "the error names 407"
assert_icontains "$ERR" "credentials" "the error says credentials are missing or wrong"
assert_contains "$ERR" "proxy.test" "the error names the proxy"

# wrong password: tinyproxy 1.11 answers 401 (not 407) to a CONNECT with
# wrong credentials; acmectl names what the proxy said
HTTPS_PROXY="http://labuser:Bad-Pw-9@proxy.test:$NETNS_PROXY_PORT" lab_acme \
	account register --agree-tos --email admin@acmectl.example
assert_rc 3 "wrong proxy password"
assert_contains "$ERR" "answered 401" "the error names the proxy's status (401 from tinyproxy)"
assert_icontains "$ERR" "credentials" "the error says credentials are missing or wrong"
assert_not_contains "$ERR" "Bad-Pw-9" "the wrong password is not printed"

# user:pass@ in HTTPS_PROXY
HTTPS_PROXY=$AUTH_URL lab_acme -v issue --webroot "$WWW" \
	--email admin@acmectl.example --agree-tos one.test
assert_rc 0 "issue through the proxy with user:pass@ in HTTPS_PROXY"
assert_cert_issued "$STATE/certs/one.test" one.test
assert_true "CONNECT acme.test:14000 logged" test "$(tinyproxy_connects acme.test:14000)" -gt 2
assert_not_contains "$ERR" "s3cret-Pw" "-v never prints the password"
assert_contains "$ERR" "proxy.test:$NETNS_PROXY_PORT (HTTPS_PROXY)" \
	"-v shows the route through the proxy"

# --proxy-auth-file
printf 'labuser:s3cret-Pw\n' >"$TEST_TMP/proxy-auth"
chmod 600 "$TEST_TMP/proxy-auth"
BEFORE=$(tinyproxy_connects acme.test:14000)
lab_acme -v --proxy "$PROXY_NAME_URL" --proxy-auth-file "$TEST_TMP/proxy-auth" \
	issue --webroot "$WWW" two.test
assert_rc 0 "issue through the proxy with --proxy-auth-file"
assert_cert_issued "$STATE/certs/two.test" two.test
assert_true "CONNECT logged for --proxy-auth-file" \
	test "$(tinyproxy_connects acme.test:14000)" -gt "$BEFORE"
assert_not_contains "$ERR" "s3cret-Pw" "-v never prints the auth file's password"

printf 'labuser:nope\n' >"$TEST_TMP/bad-auth"
lab_acme --proxy "$PROXY_NAME_URL" --proxy-auth-file "$TEST_TMP/bad-auth" \
	issue --webroot "$WWW" three.test
assert_rc 3 "wrong password in --proxy-auth-file"
assert_icontains "$ERR" "credentials" "the error says credentials are wrong (auth file)"

lab_acme --proxy "$PROXY_NAME_URL" --proxy-auth-file "$TEST_TMP/absent" \
	issue --webroot "$WWW" three.test
assert_rc_in "2 4" "missing --proxy-auth-file"

# the proxy refuses the CONNECT target (tinyproxy allows ports 443, 14000, 14001)
HTTPS_PROXY=$AUTH_URL netns_acmectl client --server https://acme.test:14002/dir \
	--ca-bundle "$PEBBLE_CA" --state-dir "$STATE" account show
assert_rc 3 "CONNECT to a port the proxy forbids"
assert_contains "$ERR" "403" "the error names 403"
assert_contains "$ERR" "acme.test:14002" "the error names the target"

# wrong proxy port
HTTPS_PROXY="http://labuser:s3cret-Pw@proxy.test:3127" lab_acme issue --webroot "$WWW" four.test
assert_rc 3 "wrong proxy port"
assert_contains "$ERR" "proxy.test:3127" "the error names the proxy and port"
assert_icontains "$ERR" "refused" "the error names the errno"
assert_not_contains "$ERR" "s3cret-Pw" "the error does not print the password"

# a proxy address that swallows every packet: fails in time, not after minutes
DARK=$(netns_free client proxy 20)
netns_blackhole client proxy "$DARK"
T0=$(now_ms)
lab_acme --timeout 2 --proxy "http://$DARK:$NETNS_PROXY_PORT" issue --webroot "$WWW" five.test
ELAPSED_MS=$(($(now_ms) - T0))
assert_rc 3 "blackholed proxy"
assert_contains "$ERR" "$DARK" "the error names the proxy"
assert_faster 6000 "blackholed proxy fails near --timeout 2"

test_done
