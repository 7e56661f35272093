#!/bin/bash
# diagnose-proxy-upstream.sh - `acmectl diagnose` through a proxy that is up
# but cannot do what cert-manager needs, in the netns lab (client <-> proxy
# <-> server, Pebble in server, real Squid and tinyproxy in proxy):
#   - Squid whose own route to the CA is gone answers CONNECT 503 with
#     X-Squid-Error ERR_CONNECT_FAIL 113: proxy_cannot_reach, quoting it;
#   - Squid whose packets to the CA vanish answers 503 ERR_CONNECT_FAIL 110
#     after its connect_timeout: proxy_cannot_reach;
#   - tinyproxy in the same spot never answers the CONNECT:
#     proxy_cannot_reach at the step's deadline;
#   - Squid offering only Negotiate and NTLM: proxy_auth_unsupported;
#   - a proxy URL with a raw '?' in the password, which Go's url.Parse
#     cuts (cert-manager dials "http:80"): proxy_unreachable, advice to
#     percent-encode, and Squid sees nothing.
# The advice names the proxy and host:port and says NO_PROXY will not help.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_line client proxy server
PROXY_IP=$(netns_ip proxy client)
netns_hosts client "$PROXY_IP proxy.test" "$SERVER_IP acme.test"
netns_hosts proxy "$SERVER_IP acme.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
netns_squid_start proxy "$PROXY_IP"
PROXY=http://proxy.test:$NETNS_PROXY_PORT
T=6
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")

advice() {
	json_field "$OUT" advice
}

# the lab works through Squid before anything breaks
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict ok "Squid with its route to the CA"

# a raw '?' in the password: Go cuts the URL there and dials "http:80",
# never the proxy; percent-encoded it works
BEFORE=$(grep -c CONNECT "$SQUID_DIR/access.log" || true)
HTTPS_PROXY="http://labuser:pa?ss@proxy.test:$NETNS_PROXY_PORT" netns_diagnose client "${D[@]}"
assert_verdict proxy_unreachable "raw '?' in the proxy password"
assert_finding go_proxy_misread "raw '?' in the proxy password"
assert_contains "$(advice)" "Go reads the value as a proxy at http:80" "raw '?': advice names what Go dials"
assert_contains "$(advice)" "percent-encode" "raw '?': advice says percent-encode"
assert_not_contains "$(advice)" "to NO_PROXY" "raw '?': no advice to add an entry to NO_PROXY"
assert_faster 3000 "raw '?': fast"
assert_eq "$BEFORE" "$(grep -c CONNECT "$SQUID_DIR/access.log" || true)" "raw '?': Squid saw no CONNECT"
HTTPS_PROXY="http://labuser:pa%3Fss@proxy.test:$NETNS_PROXY_PORT" netns_diagnose client "${D[@]}"
assert_verdict ok "the same password percent-encoded"

# the proxy's route to the CA is gone: Squid's connect fails at once (113)
ip -n "$(netns_name proxy)" route add unreachable "$SERVER_IP/32" ||
	fail "unreachable route in proxy failed"
assert_eq 56 "$(netns_curl_rc client --cacert "$PEBBLE_CA" -x "$PROXY" "$PEBBLE_DIR_URL")" \
	"lab check: curl through Squid gets no tunnel"
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict proxy_cannot_reach "Squid without a route to the CA"
assert_faster 3000 "Squid without a route: fast"
assert_contains "$(advice)" "the proxy at proxy.test:$NETNS_PROXY_PORT cannot reach acme.test:14000" \
	"no route: advice names proxy and target"
assert_contains "$(advice)" "X-Squid-Error: ERR_CONNECT_FAIL 113" "no route: advice quotes X-Squid-Error"
assert_contains "$(advice)" "NO_PROXY will not help" "no route: NO_PROXY will not help"
assert_not_contains "$(advice)" "add the name" "no route: no advice to add a NO_PROXY entry"
assert_eq "Failed to register ACME account: Get \"$PEBBLE_DIR_URL\": Service Unavailable" \
	"$CM_MESSAGE" "no route: Go's text for a 503 to CONNECT"

# the proxy's packets to the CA vanish: Squid gives up after its 3 s
ip -n "$(netns_name proxy)" route del unreachable "$SERVER_IP/32"
netns_blackhole proxy server "$SERVER_IP"
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict proxy_cannot_reach "Squid whose SYNs to the CA vanish"
assert_slower 2500 "blackholed: Squid waited for its connect_timeout"
assert_faster $((T * 1000 + 1000)) "blackholed: within the step deadline + 1 s"
assert_contains "$(advice)" "ERR_CONNECT_FAIL 110" "blackholed: advice quotes Squid's timeout"

# tinyproxy in the same spot has no connect timeout: CONNECT is never answered
stop_pid "$SQUID_PID"
netns_tinyproxy_start proxy "$PROXY_IP"
HTTPS_PROXY=$PROXY netns_diagnose client --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
	--timeout 2
assert_verdict proxy_cannot_reach "tinyproxy never answers CONNECT"
assert_faster 3500 "tinyproxy silent: within the step deadline + 1.5 s"
assert_contains "$(advice)" "cannot reach acme.test:14000" "silent: advice names the target"
assert_contains "$(advice)" "NO_PROXY will not help" "silent: NO_PROXY will not help"

# tinyproxy without a route to the CA: its own 500 "Unable to connect"
ip -n "$(netns_name proxy)" route replace unreachable "$SERVER_IP/32" ||
	fail "unreachable route in proxy failed"
HTTPS_PROXY=$PROXY netns_diagnose client --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
	--timeout 2
assert_verdict proxy_cannot_reach "tinyproxy's 500 to CONNECT"
assert_faster 3000 "tinyproxy's 500: fast"
assert_contains "$(json_step "$OUT" proxy detail)" "500 Unable to connect" \
	"tinyproxy's 500: the proxy line quotes it"
assert_contains "$(advice)" "cannot reach acme.test:14000" "tinyproxy's 500: advice names the target"
assert_eq "Failed to register ACME account: Get \"$PEBBLE_DIR_URL\": Unable to connect" \
	"$CM_MESSAGE" "tinyproxy's 500: Go's text for a 500 to CONNECT"
ip -n "$(netns_name proxy)" route del unreachable "$SERVER_IP/32"
stop_pid "$TINYPROXY_PID"

# a proxy that wants NTLM or Negotiate (Kerberos), which Go cannot do
netns_squid_start proxy "$PROXY_IP" ntlm
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict proxy_auth_unsupported "Squid offering only Negotiate and NTLM"
assert_faster 3000 "NTLM only: fast"
assert_contains "$(json_step "$OUT" proxy detail)" "Proxy-Authenticate: Negotiate, NTLM" \
	"NTLM only: the proxy line lists the schemes offered"
assert_contains "$(advice)" "cannot do NTLM or Negotiate" "NTLM only: advice says Go cannot"
HTTPS_PROXY="http://user:pw@proxy.test:$NETNS_PROXY_PORT" netns_diagnose client "${D[@]}"
assert_verdict proxy_auth_unsupported "NTLM only, Basic credentials in the URL"

test_done
