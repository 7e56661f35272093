#!/bin/bash
# diagnose-dns-slow.sh - a slow but working resolver under diagnose, in the
# netns lab (client <-> server; Pebble and dnsmasq in server). A dead
# nameserver is an address in server whose DNS packets nftables drops;
# AAAA questions are dropped by an nftables match on the query type at its
# fixed offset behind the name acme.test. Each case checks the verdict, an
# advice keyword and a generous time bound:
#   - dead first nameserver, the second answers: ok + finding dns_slow;
#   - dropped AAAA: ok + dns_slow naming AAAA;
#   - a pod's ndots:5 with three search domains and a dead first
#     nameserver under the 10 s deadline of v1.8.0: dns_slow, with
#     "context deadline exceeded" from the DNS step (not slow_ca), and ndots
#     advice;
#   - every nameserver dead: dns_failure with Go's own lookup text;
#   - options use-vc with UDP to the nameserver dropped: ok over TCP, and
#     dns_failure without use-vc.
# In each slow case Go itself (tests/lib/go_lookup.go, built with Debian's
# Go and CGO_ENABLED=0 as cert-manager is) looks the name up in the same
# namespace, and its time must match the model's prediction.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
command -v nft >/dev/null 2>&1 || skip "nft (nftables) not installed"
netns_client_server
DEAD_IP=$(netns_free server client 11)
netns_addr server client "$DEAD_IP"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
# a.test, b.test, c.test are dnsmasq's own (NXDOMAIN for every name in
# them), as a cluster DNS is for its search domains
netns_dnsmasq_start server "$SERVER_IP" --address=/acme.test/"$SERVER_IP" \
	--local=/a.test/ --local=/b.test/ --local=/c.test/
# the dead nameserver: its queries vanish
nsx server nft add table inet lab
nsx server nft add chain inet lab in '{ type filter hook input priority 0; }'
nsx server nft add rule inet lab in ip daddr "$DEAD_IP" udp dport 53 drop
nsx server nft add rule inet lab in ip daddr "$DEAD_IP" tcp dport 53 drop
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout 8)

command -v go >/dev/null 2>&1 || skip "go (golang-go) not installed"
assert_true "go_lookup builds offline with Debian's Go" \
	unshare --net env CGO_ENABLED=0 GO111MODULE=off GOPATH="$TEST_TMP/gopath" GOPROXY=off \
	GOFLAGS= GOCACHE="$TEST_TMP/gocache" go build -o "$TEST_TMP/go_lookup" \
	"$(dirname "$0")/../lib/go_lookup.go"

# the model's time for the lookup, in ms, from the dns step's line
model_ms() {
	python3 -c '
import re, sys
m = re.search(r"(needs|answers only after) ([0-9.]+) (ms|s)\b", sys.argv[1])
print(int(float(m.group(2)) * (1 if m.group(3) == "ms" else 1000)) if m else -1)
' "$(json_step "$OUT" dns detail)"
}

# go_start: Go's own lookup of acme.test in client, in the background
# while diagnose runs; assert_go_agrees DESC: it took what that diagnose
# predicted, give or take 700 ms
go_start() {
	rm -f "$TEST_TMP/go.out"
	nsx client "$TEST_TMP/go_lookup" acme.test:14000 >"$TEST_TMP/go.out" 2>&1 &
	GO_PID=$!
}

assert_go_agrees() {
	local go_ms model
	wait "$GO_PID" || true
	go_ms=$(awk '{ print $1 }' "$TEST_TMP/go.out")
	model=$(model_ms)
	if [ "$model" -ge 0 ] && [ $((go_ms - model)) -le 700 ] && [ $((model - go_ms)) -le 700 ]; then
		pass_ "$1: Go took $go_ms ms, the model says $model ms"
	else
		fail_ "$1: Go took $go_ms ms, the model says $model ms" "$(json_step "$OUT" dns detail)"
	fi
}

advice() {
	json_field "$OUT" advice
}

finding_text() {
	json_field "$OUT" findings
}

# the lab answers at all
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:1"
netns_diagnose client "${D[@]}"
assert_verdict ok "a working nameserver"
assert_no_finding dns_slow "a working nameserver"

# 1. the first nameserver is dead: Go waits 1 s on it for A and AAAA (at
# once), then the second answers
netns_resolv client "nameserver $DEAD_IP" "nameserver $SERVER_IP" "options timeout:1 attempts:2"
go_start
netns_diagnose client "${D[@]}"
assert_verdict ok "dead first nameserver"
assert_finding dns_slow "dead first nameserver"
assert_contains "$(finding_text)" "the nameserver $DEAD_IP:53 does not answer" \
	"dead first nameserver: the finding names it"
assert_contains "$(advice)" "remove or repair the nameserver $DEAD_IP:53" \
	"dead first nameserver: advice"
assert_faster 15000 "dead first nameserver: one timeout asked, not Go's whole wait"
assert_go_agrees "dead first nameserver"

# 2. AAAA questions for acme.test are dropped: the type sits 12 (header)
# + 11 (\4acme\4test\0) bytes into the UDP payload, 8 more behind the UDP
# header: bits 248..263 of the transport header
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:2"
nsx server nft add rule inet lab in ip daddr "$SERVER_IP" udp dport 53 @th,248,16 28 drop
assert_eq 9 "$(nsx client dig +time=1 +tries=1 @"$SERVER_IP" acme.test AAAA >/dev/null 2>&1
	echo $?)" "lab check: AAAA acme.test gets no answer (dig: no reply)"
assert_eq 0 "$(nsx client dig +time=1 +tries=1 @"$SERVER_IP" acme.test A >/dev/null 2>&1
	echo $?)" "lab check: A acme.test is answered"
go_start
netns_diagnose client "${D[@]}"
assert_verdict ok "dropped AAAA"
assert_finding dns_slow "dropped AAAA"
assert_contains "$(finding_text)" "AAAA queries to $SERVER_IP:53 get no answer" \
	"dropped AAAA: the finding says it"
assert_contains "$(advice)" "let AAAA queries through" "dropped AAAA: advice"
assert_faster 15000 "dropped AAAA: within the bound"
assert_go_agrees "dropped AAAA"
nsx server nft flush chain inet lab in
nsx server nft add rule inet lab in ip daddr "$DEAD_IP" udp dport 53 drop

# 3. a pod: ndots:5, three search domains, the first nameserver dead, 2 s
# per query: 2 s for each search name (the second answers NXDOMAIN), then
# acme.test's AAAA, which dnsmasq refuses, 3 x (2 s + refused): 12 s, past
# v1.8.0's 10 s sync deadline
netns_resolv client "nameserver $DEAD_IP" "nameserver $SERVER_IP" \
	"search a.test b.test c.test" "options ndots:5 timeout:2 attempts:3"
go_start
netns_diagnose client "${D[@]}" --cert-manager-version v1.8.0
assert_verdict dns_slow "pod resolver, 10 s deadline"
assert_eq fail "$(json_step "$OUT" dns status)" "pod resolver: the DNS step fails"
assert_contains "$(json_field "$OUT" cert_manager.events)" "context deadline exceeded" \
	"pod resolver: cert-manager's deadline event"
assert_no_finding slow_ca "pod resolver: the CA is not blamed"
assert_contains "$(advice)" "lower ndots" "pod resolver: ndots advice"
assert_contains "$(advice)" "helps only if the CA lists its URLs with the dot too" \
	"pod resolver: the trailing dot only with its caveat"
assert_faster 20000 "pod resolver: the dead server asked once per type, not per name"
assert_go_agrees "pod resolver"

# 4. every nameserver dead: Go's own error
netns_resolv client "nameserver $DEAD_IP" "options timeout:1 attempts:1"
netns_diagnose client "${D[@]}"
assert_verdict dns_failure "no nameserver answers"
assert_contains "$CM_MESSAGE" "lookup acme.test on $DEAD_IP:53: read udp" \
	"no nameserver answers: Go's text"
assert_contains "$CM_MESSAGE" "i/o timeout" "no nameserver answers: a timeout"
assert_faster 15000 "no nameserver answers: within the bound"

# 5. options use-vc: Go asks over TCP only, so a nameserver whose UDP is
# dropped still answers at once; without use-vc the same one fails
nsx server nft add rule inet lab in ip daddr "$SERVER_IP" udp dport 53 drop
assert_eq 9 "$(nsx client dig +notcp +time=1 +tries=1 @"$SERVER_IP" acme.test A >/dev/null 2>&1
	echo $?)" "lab check: no answer over UDP (dig: no reply)"
assert_eq 0 "$(nsx client dig +tcp +time=1 +tries=1 @"$SERVER_IP" acme.test A >/dev/null 2>&1
	echo $?)" "lab check: an answer over TCP"
netns_resolv client "nameserver $SERVER_IP" "options use-vc timeout:1 attempts:1"
GO_OUT=$(nsx client "$TEST_TMP/go_lookup" acme.test:14000)
assert_contains "$GO_OUT" " <nil>" "lab check: Go's resolver answers over TCP with use-vc"
netns_diagnose client "${D[@]}"
assert_verdict ok "use-vc, UDP dropped"
assert_no_finding dns_slow "use-vc, UDP dropped: no wait predicted"
assert_contains "$(json_step "$OUT" dns detail)" "$SERVER_IP" "use-vc: the dns line has the answer"
assert_faster 5000 "use-vc, UDP dropped: no timeout waited"
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:1"
netns_diagnose client "${D[@]}"
assert_verdict dns_failure "UDP dropped, no use-vc"
assert_contains "$CM_MESSAGE" "lookup acme.test on $SERVER_IP:53: read udp" \
	"UDP dropped, no use-vc: Go's text"

test_done
