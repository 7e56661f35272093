#!/bin/bash
# diagnose-dns.sh - name resolution and address families under diagnose:
# a resolv.conf "search corp.test" + ndots:5 with a wildcard *.corp.test
# record (dnsmasq) sends acme.test to an ingress-like server with an
# "ingress.local" certificate: dns_search_hijack, and ok again with ndots:1;
# a name with a working A and a blackholed AAAA: ok + finding ipv6_broken;
# a name with only the blackholed AAAA: connect_timeout in time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_client_server
INGRESS_IP=$(netns_free server client 10)
netns_addr server client "$INGRESS_IP"
DARK6=$(netns_free6 client server 99)
netns_blackhole client server "$DARK6"
netns_pebble_start server "$SERVER_IP" 14000 acme.test dual.test v6only.test
# what answers for every *.corp.test name: an ingress controller's default
# backend with its ingress.local certificate
netns_cert "$TEST_TMP/lab" ca ingress ingress.local
netns_slow_https_start server "$INGRESS_IP" 14000 "$TEST_TMP/lab/ingress.pem" \
	"$TEST_TMP/lab/ingress.key" 0
netns_dnsmasq_start server "$SERVER_IP" --address=/corp.test/"$INGRESS_IP" \
	--address=/acme.test/"$SERVER_IP"
netns_resolv client "nameserver $SERVER_IP" "search corp.test" "options ndots:5 timeout:1 attempts:1"
T=2
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")

# the hijack: acme.test has fewer than 5 dots, so acme.test.corp.test is
# asked first, and the wildcard answers it
assert_eq "$INGRESS_IP" "$(nsx client getent ahostsv4 acme.test | awk 'NR == 1 { print $1 }')" \
	"lab check: getaddrinfo(acme.test) gives the ingress address"
netns_diagnose client "${D[@]}"
assert_verdict dns_search_hijack "search corp.test + ndots:5 + *.corp.test"
assert_faster $((T * 1000 + 1000)) "hijack: within the step deadline + 1 s"
assert_contains "$OUT" "corp.test" "hijack: the report names the search domain"
assert_contains "$OUT" "$INGRESS_IP" "hijack: the report names the wrong address"
assert_contains "$(json_field "$OUT" advice)" "corp.test" "hijack: advice names the search domain"
assert_contains "$CM_MESSAGE" "ingress.local" \
	"hijack: cert-manager would show the ingress.local certificate"
grep -q 'acme.test.corp.test' "$DNSMASQ_LOG" && pass_ "dnsmasq was asked acme.test.corp.test" ||
	fail_ "dnsmasq was asked acme.test.corp.test" "$(cat "$DNSMASQ_LOG")"

# the same resolver with ndots:1: the name is tried as is first
netns_resolv client "nameserver $SERVER_IP" "search corp.test" "options ndots:1 timeout:1 attempts:1"
netns_diagnose client "${D[@]}"
assert_verdict ok "search corp.test + ndots:1"
assert_no_finding dns_search_hijack "ndots:1"

# IPv4 works, the AAAA leads nowhere
netns_resolv client "nameserver 127.0.0.1" "options timeout:1 attempts:1"
netns_hosts client "$SERVER_IP dual.test" "$DARK6 dual.test v6only.test"
assert_eq 0 "$(netns_curl_rc client -4 --cacert "$PEBBLE_CA" https://dual.test:14000/dir)" \
	"lab check: dual.test over IPv4 works"
assert_eq 28 "$(netns_curl_rc client -6 --cacert "$PEBBLE_CA" https://dual.test:14000/dir)" \
	"lab check: dual.test over IPv6 times out"
netns_diagnose client --server https://dual.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict ok "A works, AAAA blackholed"
assert_finding ipv6_broken "A works, AAAA blackholed"
assert_faster $((T * 1000 + 1000)) "A + dead AAAA: within the step deadline + 1 s"

# only the AAAA
netns_diagnose client --server https://v6only.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout $T
assert_verdict connect_timeout "only a blackholed AAAA"
assert_faster $((T * 1000 + 1000)) "AAAA only: within the step deadline + 1 s"
assert_contains "$OUT" "$DARK6" "AAAA only: the report names the IPv6 address"

test_done
