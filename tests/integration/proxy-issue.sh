#!/bin/bash
# proxy-issue.sh - full issuance through a real tinyproxy from a network
# namespace whose only way to Pebble is that proxy: proxy from HTTPS_PROXY,
# from --proxy (over a wrong environment with --no-env-proxy) and from the
# config file, each proven by CONNECT lines in tinyproxy's log and by the
# route -v logs; without a proxy the request fails with exit 3.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_lab_proxied

# the client really has no way to the server but the proxy
assert_false "client cannot reach Pebble directly" \
	nsx client curl -s --max-time 2 --cacert "$PEBBLE_CA" -o /dev/null "$PEBBLE_DIR_URL"

# HTTPS_PROXY, as cert-manager gets it
BEFORE=$(tinyproxy_connects acme.test:14000)
HTTPS_PROXY=$PROXY_NAME_URL lab_acme -v issue --webroot "$WWW" \
	--email admin@acmectl.example --agree-tos one.test
assert_rc 0 "issue through tinyproxy from HTTPS_PROXY"
assert_cert_issued "$STATE/certs/one.test" one.test
AFTER=$(tinyproxy_connects acme.test:14000)
assert_true "tinyproxy logged CONNECT acme.test:14000 ($BEFORE -> $AFTER)" test "$AFTER" -gt "$BEFORE"
assert_contains "$ERR" "via $PROXY_NAME_URL (HTTPS_PROXY)" "-v logs the route and its source"
assert_not_contains "$ERR" " direct" "no request went direct"
assert_contains "$(cat "$WEBROOT_LOG")" "GET /.well-known/acme-challenge/" \
	"Pebble's VA fetched the token"

# --proxy wins over the environment; --no-env-proxy ignores a wrong one
BEFORE=$AFTER
HTTPS_PROXY=http://proxy.test:1 lab_acme -v --proxy "$PROXY_NAME_URL" issue \
	--webroot "$WWW" two.test
assert_rc 0 "issue through --proxy (HTTPS_PROXY points elsewhere)"
assert_cert_issued "$STATE/certs/two.test" two.test
AFTER=$(tinyproxy_connects acme.test:14000)
assert_true "CONNECT logged for --proxy ($BEFORE -> $AFTER)" test "$AFTER" -gt "$BEFORE"
assert_contains "$ERR" "via $PROXY_NAME_URL (--proxy)" "-v names --proxy as the source"

BEFORE=$AFTER
HTTPS_PROXY=http://proxy.test:1 lab_acme --no-env-proxy issue --webroot "$WWW" three.test
assert_rc 3 "--no-env-proxy without --proxy: no route to the server"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "--no-env-proxy: no CONNECT"

# the config file, as cron and systemd runs keep it
printf '# acmectl lab\nproxy = %s\n' "$PROXY_NAME_URL" >"$TEST_TMP/acmectl.conf"
lab_acme -v --config "$TEST_TMP/acmectl.conf" issue --webroot "$WWW" four.test
assert_rc 0 "issue through the proxy of --config"
assert_cert_issued "$STATE/certs/four.test" four.test
AFTER=$(tinyproxy_connects acme.test:14000)
assert_true "CONNECT logged for the config file ($BEFORE -> $AFTER)" test "$AFTER" -gt "$BEFORE"
assert_contains "$ERR" "via $PROXY_NAME_URL ($TEST_TMP/acmectl.conf:2)" \
	"-v names FILE:LINE as the source"

# no proxy at all: the proxy --proxy gave for this server earlier is
# remembered (connection.json), as unattended runs need it
BEFORE=$AFTER
lab_acme -v issue --webroot "$WWW" five.test
assert_rc 0 "with no proxy named, the remembered one is used"
assert_contains "$ERR" "via $PROXY_NAME_URL ($STATE/accounts/" "-v names the remembered settings as the source"
assert_true "CONNECT logged for the remembered proxy" test "$(tinyproxy_connects)" -gt "$BEFORE"

# no proxy at all, nothing remembered: the network is unreachable, exit 3,
# no CONNECT
BEFORE=$(tinyproxy_connects)
STATE="$TEST_TMP/fresh-state" lab_acme issue --webroot "$WWW" five.test
assert_rc 3 "without a proxy the server is unreachable"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "no CONNECT without a proxy"

# a proxy on a port nobody listens on
HTTPS_PROXY=http://proxy.test:3129 lab_acme issue --webroot "$WWW" six.test
assert_rc 3 "proxy port closed"
assert_contains "$ERR" "proxy.test" "the error names the proxy"

test_done
