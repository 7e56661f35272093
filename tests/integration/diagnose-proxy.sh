#!/bin/bash
# diagnose-proxy.sh - `acmectl diagnose` where the CA is reachable only
# through tinyproxy (the client's direct route to it is blackholed, as a
# firewall drops it): with HTTPS_PROXY ok; without, connect_timeout in time;
# NO_PROXY naming the host (bypass: connect_timeout) vs its IP (no effect:
# ok + finding no_proxy_ip_entry); a name only the proxy can resolve
# (dns_failure without the proxy, ok with it); a closed proxy port
# (proxy_unreachable); upper/lower case conflict (finding); a proxy asking
# for credentials (proxy_auth_required, ok with them).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_line client proxy server
PROXY_IP=$(netns_ip proxy client)
# the firewall: the client's packets for the server's segment vanish
DROP_IP=$(netns_free client proxy 20)
netns_blackhole client proxy "$DROP_IP"
netns_route client "$(netns_prefix proxy server)" "$DROP_IP"
netns_hosts client "$PROXY_IP proxy.test" "$SERVER_IP acme.test"
netns_hosts proxy "$SERVER_IP acme.test far.test"
# the client's DNS knows no outside names (NXDOMAIN for all); far.test is
# known to the proxy only
netns_dnsmasq_start proxy "$PROXY_IP" --address=/#/
netns_resolv client "nameserver $PROXY_IP" "options timeout:1 attempts:1"
netns_pebble_start server "$SERVER_IP" 14000 acme.test far.test
netns_tinyproxy_start proxy "$PROXY_IP"
PROXY=http://proxy.test:$NETNS_PROXY_PORT
T=2
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")

# lab checks: what each case does to curl
assert_eq 28 "$(netns_curl_rc client --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" \
	"lab check: direct times out"
assert_eq 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" -x "$PROXY" "$PEBBLE_DIR_URL")" \
	"lab check: through the proxy works"
assert_eq 6 "$(netns_curl_rc client --cacert "$PEBBLE_CA" https://far.test:14000/dir)" \
	"lab check: far.test does not resolve in client"
assert_eq 0 "$(netns_curl_rc client --cacert "$PEBBLE_CA" -x "$PROXY" https://far.test:14000/dir)" \
	"lab check: far.test through the proxy works"

# through the proxy
BEFORE=$(tinyproxy_connects acme.test:14000)
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict ok "HTTPS_PROXY set"
assert_faster 3000 "through the proxy: fast"
assert_true "diagnose went through tinyproxy (CONNECT logged)" \
	test "$(tinyproxy_connects acme.test:14000)" -gt "$BEFORE"
assert_eq ok "$(json_step "$OUT" proxy status)" "step proxy ok"

# without it: the direct route is dropped
BEFORE=$(tinyproxy_connects)
netns_diagnose client "${D[@]}"
assert_verdict connect_timeout "no proxy configured"
assert_faster $((T * 1000 + 1000)) "no proxy: verdict within the step deadline + 1 s"
assert_eq "$BEFORE" "$(tinyproxy_connects)" "no proxy: no CONNECT"

# NO_PROXY with the name: bypassed, so the same timeout
HTTPS_PROXY=$PROXY NO_PROXY=acme.test netns_diagnose client "${D[@]}"
assert_verdict connect_timeout "NO_PROXY=acme.test bypasses the proxy"
assert_faster $((T * 1000 + 1000)) "NO_PROXY=acme.test: within the step deadline + 1 s"

# NO_PROXY with the IP: never matches a host name; still proxied, and said so
HTTPS_PROXY=$PROXY NO_PROXY=$SERVER_IP netns_diagnose client "${D[@]}"
assert_verdict ok "NO_PROXY=<server IP> changes nothing"
assert_finding no_proxy_ip_entry "NO_PROXY=<server IP>"
assert_faster 3000 "NO_PROXY=<server IP>: fast"

# a name only the proxy resolves
FAR=(--server https://far.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout "$T")
netns_diagnose client "${FAR[@]}"
assert_verdict dns_failure "far.test without a proxy (NXDOMAIN)"
assert_faster $((T * 1000 + 1000)) "far.test without a proxy: in time"
HTTPS_PROXY=$PROXY netns_diagnose client "${FAR[@]}"
assert_verdict ok "far.test through the proxy (the proxy resolves it)"

# upper and lower case disagree
HTTPS_PROXY=$PROXY https_proxy=http://proxy.test:1 netns_diagnose client "${D[@]}"
assert_verdict ok "HTTPS_PROXY good, https_proxy bad (Go reads HTTPS_PROXY)"
assert_finding proxy_env_case_conflict "HTTPS_PROXY vs https_proxy"

# nothing listens on the proxy port
HTTPS_PROXY=http://proxy.test:3999 netns_diagnose client "${D[@]}"
assert_verdict proxy_unreachable "proxy port closed"
assert_faster 1500 "proxy port closed: at once"

# a proxy that wants credentials
stop_pid "$TINYPROXY_PID"
netns_tinyproxy_start proxy "$PROXY_IP" labuser 's3cret-Pw'
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict proxy_auth_required "proxy 407"
assert_faster 3000 "proxy 407: fast"
assert_contains "$OUT" "407" "proxy 407: the report names 407"
HTTPS_PROXY="http://labuser:s3cret-Pw@proxy.test:$NETNS_PROXY_PORT" netns_diagnose client "${D[@]}"
assert_verdict ok "proxy with credentials"
assert_not_contains "$OUT$ERR" "s3cret-Pw" "the report never prints the password"

test_done
