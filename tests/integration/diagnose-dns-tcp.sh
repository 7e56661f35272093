#!/bin/bash
# diagnose-dns-tcp.sh - a nameserver that breaks its DNS-over-TCP framing
# (tests/lib/dns_tcp_hostile.py, in the netns lab's server), under
# diagnose's DNS step: with options use-vc (TCP only) and without (its
# UDP answers are truncated, so the question comes again over TCP):
#   - hold: a length of 4000, 10 bytes, then the connection held open;
#   - close: half the answer, then the connection closed;
#   - empty, zero, otherid (use-vc only): closed at once, a length of 0,
#     the answer to another id.
# diagnose must end within its deadline (the server would hold for 120 s)
# with verdict dns_failure, one clear line in its DNS step, and the error
# Go's own resolver gives (tests/lib/go_lookup.go, run in the same lab;
# its local address is POD_IP:PORT in the model's text).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
command -v go >/dev/null 2>&1 || fail "go not found (contrib/install-deps.sh installs golang-go)"
netns_client_server
D=(--server https://acme.test:14000/dir --timeout 8)

assert_true "go_lookup builds offline with Debian's Go" \
	env CGO_ENABLED=0 GO111MODULE=off GOPATH="$TEST_TMP/gopath" GOPROXY=off \
	GOFLAGS= GOCACHE="$TEST_TMP/gocache" go build -o "$TEST_TMP/go_lookup" \
	"$(dirname "$0")/../lib/go_lookup.go"

# hostile_start MODE: the server in server on SERVER_IP:53
hostile_start() {
	[ -z "${HOSTILE_PID:-}" ] || stop_pid "$HOSTILE_PID"
	HOSTILE_LOG="$TEST_TMP/hostile-$1.log"
	netns_spawn HOSTILE_PID "$TEST_TMP/hostile-$1.out" server \
		python3 "$NETNS_LIB_DIR/dns_tcp_hostile.py" --listen "$SERVER_IP" --port 53 \
		--mode "$1" --log "$HOSTILE_LOG"
	netns_wait_port server "$SERVER_IP" 53 10 ||
		fail "dns_tcp_hostile.py did not start: $(cat "$TEST_TMP/hostile-$1.out")"
}

# check MODE RESOLV-OPTIONS DESC: Go's lookup in client, then diagnose
# there
check() {
	local go_out go_err detail
	netns_resolv client "nameserver $SERVER_IP" "options $2"
	: >"$HOSTILE_LOG"
	go_out=$(nsx client "$TEST_TMP/go_lookup" acme.test:14000)
	echo "# Go: $go_out"
	assert_true "$3: Go's question came over TCP" grep -q "^TCP acme.test $1" "$HOSTILE_LOG"
	go_err=$(printf '%s\n' "$go_out" | sed -n '1{
		s/ tcp [0-9.]*:[0-9]*->/ tcp POD_IP:PORT->/
		s/^[0-9]* dial tcp: //p
	}')
	: >"$HOSTILE_LOG"
	netns_diagnose client "${D[@]}"
	assert_verdict dns_failure "$3"
	assert_faster 15000 "$3: not held by the server"
	assert_true "$3: diagnose's question came over TCP" grep -q "^TCP acme.test $1" "$HOSTILE_LOG"
	detail=$(json_step "$OUT" dns detail)
	assert_eq 1 "$(printf '%s\n' "$detail" | grep -c .)" "$3: one line in the dns step: $detail"
	assert_eq "acmectl: diagnose: dns_failure" "$ERR" "$3: one line on stderr"
	assert_contains "$CM_MESSAGE" "dial tcp: ${go_err:-Go gave no error}" "$3: Go's own error"
}

hostile_start hold
check hold "use-vc timeout:2 attempts:1" "use-vc, 4000 bytes claimed, 10 sent, held"
check hold "timeout:2 attempts:1" "truncated over UDP, then 4000 bytes claimed over TCP, held"
hostile_start close
check close "use-vc timeout:2 attempts:1" "use-vc, half an answer, closed"
check close "timeout:2 attempts:1" "truncated over UDP, then half an answer over TCP, closed"
hostile_start empty
check empty "use-vc timeout:2 attempts:1" "use-vc, closed without a byte"
hostile_start zero
check zero "use-vc timeout:2 attempts:1" "use-vc, a length of 0"
hostile_start otherid
check otherid "use-vc timeout:2 attempts:1" "use-vc, the answer to another id"
test_done
