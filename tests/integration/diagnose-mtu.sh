#!/bin/bash
# diagnose-mtu.sh - `acmectl diagnose` across a path-MTU black hole, in the
# netns lab (client <-> router <-> server, Pebble in server): the router's
# link to the client carries packets of 700 bytes at most (a tunnel; Pebble's
# whole certificate flight is about 800 bytes, so less would not lose it), and
# its ICMP "fragmentation needed" never reaches the server (a policy rule
# sends the router's own ICMP to the server into a blackhole route, as a
# firewall dropping ICMP would). TCP connects, the
# client hello gets through, the server's full-size certificate flight does
# not: path_mtu_blackhole, found by a second handshake asking for small
# segments (TCP_MAXSEG), and the advice names the MTU, not SNI filtering.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_routed_line client router server
netns_hosts client "$SERVER_IP acme.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
T=3
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")

netns_diagnose client "${D[@]}"
assert_verdict ok "before the black hole"

# the black hole: a 700-byte hop, and the ICMP that would say so dropped
ip -n "$(netns_name router)" link set to-client mtu 700 || fail "mtu 700 in router failed"
ip -n "$(netns_name router)" rule add ipproto icmp to "$SERVER_IP" table 231 ||
	fail "ip rule for ICMP in router failed"
ip -n "$(netns_name router)" route add blackhole default table 231 ||
	fail "blackhole table in router failed"
assert_eq 28 "$(netns_curl_rc client --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" \
	"lab check: curl connects but its handshake times out"

netns_diagnose client "${D[@]}"
assert_verdict path_mtu_blackhole "full-size packets from the server are lost"
assert_faster $((T * 1000 + 3 * 3000 + 1000)) "black hole: the step, three small tries and 1 s"
ADVICE=$(json_field "$OUT" advice)
assert_contains "$ADVICE" "a path-MTU black hole" "black hole: advice names it"
assert_contains "$ADVICE" "(packets of 576)" "black hole: advice names the packet size that works"
assert_not_contains "$ADVICE" "SNI filtering or" "black hole: not blamed on SNI filtering"
assert_contains "$CM_MESSAGE" "net/http: TLS handshake timeout" "black hole: Go's text"

test_done
