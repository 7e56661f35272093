#!/bin/bash
# diagnose-no-route.sh - `acmectl diagnose` where the CA cannot be routed to,
# in the netns lab (client <-> router <-> server, Pebble in server):
#   - a name whose address is on no network the client has a route for:
#     ENETUNREACH at once;
#   - the router refusing the server's address with ICMP "administratively
#     prohibited" (a prohibit route, what a rejecting firewall sends):
#     EHOSTUNREACH at once.
# Both are no_route, with advice about routes and firewalls, not about the
# port or DNS, and Go's "connect: ..." text in cert-manager's condition.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_routed_line client router server
# segment 6 of the lab's /24 is linked nowhere: no route to it anywhere
NOWHERE_IP="$NETNS_NET4.200"
netns_hosts client "$SERVER_IP acme.test" "$NOWHERE_IP nowhere.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test nowhere.test
D=(--ca-bundle "$PEBBLE_CA" --timeout 5)

advice() {
	json_field "$OUT" advice
}

# the lab routes through the router
netns_diagnose client --server "$PEBBLE_DIR_URL" "${D[@]}"
assert_verdict ok "through the router"

# no route from the client at all
netns_diagnose client --server https://nowhere.test:14000/dir "${D[@]}"
assert_verdict no_route "an address on no routed network"
assert_faster 2000 "no route: at once"
assert_contains "$(advice)" "this host has no route to $NOWHERE_IP" "no route: advice about routes"
assert_not_contains "$(advice)" "check the port" "no route: no advice about the port"
assert_contains "$CM_MESSAGE" "dial tcp $NOWHERE_IP:14000: connect: network is unreachable" \
	"no route: Go's text"

# the router rejects with ICMP administratively prohibited
ip -n "$(netns_name router)" route add prohibit "$SERVER_IP/32" ||
	fail "prohibit route in router failed"
assert_eq 7 "$(netns_curl_rc client --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" \
	"lab check: curl cannot connect"
netns_diagnose client --server "$PEBBLE_DIR_URL" "${D[@]}"
assert_verdict no_route "ICMP administratively prohibited from the router"
assert_faster 2000 "prohibited: at once"
assert_contains "$(advice)" "a router or firewall on the path rejects the connection" \
	"prohibited: advice about a firewall"
assert_contains "$(advice)" "allow egress to $SERVER_IP port 14000/tcp" "prohibited: what to allow"
assert_not_contains "$(advice)" "check the port" "prohibited: no advice about the port"
assert_contains "$CM_MESSAGE" "dial tcp $SERVER_IP:14000: connect: no route to host" \
	"prohibited: Go's text"

test_done
