#!/bin/bash
# round-trips.sh - round trips of an issuance over a 100 ms round trip (a
# delaying relay in front of Pebble, as the bench's), counted from -v: the
# first validation poll leaves ~50 ms after the last challenge answer, while
# that answer is still in flight, so Pebble, which validates in
# milliseconds, answers it "ready" a round trip sooner: 1 name takes 9
# round trips, 10 names 10 at the default --parallel 8. A host that answers
# the CA slowly makes that poll find the order pending, and polling goes
# on; over HTTP/1.1, where the poll would need a connection of its own, it
# waits for the answer as before. Pebble rejects no nonce here: a retried
# badNonce would be a round trip more. The counted runs answer http-01
# with the built-in responder (--standalone): Pebble fetches every token
# from several perspectives at once, which a Python webroot on the loaded
# machine does not always serve within the 50 ms.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

export PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
pebble_start_webroot

# relay_start VAR TARGET_PORT: a relay delaying each direction by 50 ms in
# front of TARGET_PORT; its port in VAR.
relay_start() {
	local port pid
	pebble_free_port port
	spawn pid "$TEST_TMP/relay-$2.log" \
		python3 "$(dirname "$0")/../lib/delay_relay.py" "$port" "$2" 50
	wait_for_port "$port" 10 || fail "relay did not start: $(cat "$TEST_TMP/relay-$2.log")"
	printf -v "$1" '%s' "$port"
}
pebble_port=${PEBBLE_DIR_URL#https://localhost:}
pebble_port=${pebble_port%%/*}
relay_start relay_port "$pebble_port"
SLOW_URL="https://localhost:$relay_port/dir"

# In a -v log: the line of the first start and the first answer of a POST
# to a path; rounds of requests (a request started with none in flight
# begins one); requests started, all or of one method and path; the most
# in flight at once; order polls between the last challenge answer and
# finalize.
first_request() { grep -n -- "POST https://[^ ]*$1[^ ]* direct" "$2" | head -n1 | cut -d: -f1; }
first_response() { grep -n -- "POST https://[^ ]*$1[^ ]* -> " "$2" | head -n1 | cut -d: -f1; }
last_response() { grep -n -- "POST https://[^ ]*$1[^ ]* -> " "$2" | tail -n1 | cut -d: -f1; }
rounds() {
	awk '/ https:[^ ]* direct/ { if (n == 0) r++; n++ } / https:[^ ]* -> / { n-- }
		END { print r + 0 }' "$1"
}
requests() { grep -c -- " https:[^ ]* direct" "$1"; }
requests_of() { grep -c -- "$1 https://[^ ]*$2[^ ]* direct" "$3" || true; }
max_in_flight() {
	awk '/ https:[^ ]* direct/ { n++; if (n > max) max = n } / https:[^ ]* -> / { n-- }
		END { print max + 0 }' "$1"
}
polls_before_finalize() {
	awk '/POST https:[^ ]*\/chalZ\/[^ ]* direct/ { n = 0 }
		/POST https:[^ ]*\/my-order\/[^ ]* direct/ { n++ }
		/POST https:[^ ]*\/finalize-order\/[^ ]* direct/ { print n + 0; exit }' "$1"
}

# issue_slow URL LOG NAME...: issues the names through URL with -v into
# LOG, answering http-01 as the array SOLVER says.
issue_slow() {
	local url=$1 log=$2
	shift 2
	run_acmectl --server "$url" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" -v \
		issue "${SOLVER[@]}" "$@"
	assert_rc 0 "issue $* through a 100 ms round trip"
	printf '%s\n' "$ERR" >"$log"
	assert_cert_issued "$STATE/certs/$1" "$@"
	assert_true "$1: the validation poll leaves before the last challenge answer returned" \
		test "$(first_request /my-order/ "$log")" -lt "$(last_response /chalZ/ "$log")"
}

# issue_counted LOGVAR PREFIX COUNT: issues COUNT names PREFIX1.example ...
# and stores the log's path in LOGVAR. Pebble validates in milliseconds,
# but on the loaded machine it may miss the ~50 ms: then the early poll
# found the order pending (the count below would fail), and the run is
# made again with new names, up to 3 times; the last one is counted.
issue_counted() {
	local logvar=$1 prefix=$2 count=$3 try names log i
	for try in a b c; do
		names=
		for ((i = 1; i <= count; i++)); do
			names="$names $prefix$try$i.example"
		done
		log="$TEST_TMP/$prefix$try.log"
		# shellcheck disable=SC2086
		issue_slow "$SLOW_URL" "$log" $names
		[ "$(polls_before_finalize "$log")" != 1 ] || break
		echo "# $prefix: the early poll found the order still pending (load); once more"
	done
	printf -v "$logvar" '%s' "$log"
}

run_acmectl --server "$SLOW_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register through the relay"
webroot_stop
SOLVER=(--standalone "127.0.0.1:$PEBBLE_HTTP_PORT")

# 1 name: the connection's TCP and TLS handshakes, then 7 rounds: HEAD
# newNonce; newOrder with the HEAD for the early poll's nonce; the
# authorization; the challenge answer with the validation poll sent while
# it is in flight; finalize (Pebble answers "processing"); the poll after
# it; the certificate. 9 requests: the HEAD beside newOrder is the one
# more than on loopback.
issue_counted one_log r 1
assert_eq 1 "$(polls_before_finalize "$one_log")" "1 name: one validation poll, the early one, found it ready"
assert_eq 7 "$(rounds "$one_log")" "1 name: 7 rounds of requests, 9 round trips with the handshakes"
assert_eq 9 "$(requests "$one_log")" "1 name: 9 requests"
assert_eq 2 "$(requests_of HEAD /nonce-plz "$one_log")" "1 name: 2 HEAD newNonce, the second beside newOrder"
assert_eq 2 "$(max_in_flight "$one_log")" "1 name: at most 2 requests in flight"
assert_contains "$(cat "$one_log")" "connections: 1," "1 name: one connection for the whole run"

# 10 names at the default --parallel 8: HEAD; newOrder and 6 HEADs; 7
# fetches; 3 fetches and 4 answers; 6 answers and the early poll; finalize;
# poll; certificate: 8 rounds, 10 round trips with the handshakes. 32
# requests, as before: the early poll is the first poll, sent sooner, and
# the 7 nonces fetched beside newOrder cover its round.
issue_counted ten_log t 10
assert_eq 1 "$(polls_before_finalize "$ten_log")" "10 names: one validation poll, the early one, found it ready"
assert_eq 8 "$(rounds "$ten_log")" "10 names: 8 rounds of requests, 10 round trips with the handshakes"
assert_eq 32 "$(requests "$ten_log")" "10 names: 32 requests"
assert_eq 7 "$(max_in_flight "$ten_log")" "10 names: at most 7 requests in flight"
assert_contains "$(cat "$ten_log")" "connections: 1," "10 names: one connection for the whole run"

# A host that answers the CA slowly (its webroot behind a relay of its own,
# 200 ms a round trip and one more for a connection): validation takes
# longer than the early poll waits, so that poll finds the order pending,
# and polling goes on until it is ready.
pebble_free_port webroot_port
webroot_start "$WWW" "$webroot_port"
SOLVER=(--webroot "$WWW")
spawn HOST_RELAY_PID "$TEST_TMP/host-relay.log" \
	python3 "$(dirname "$0")/../lib/delay_relay.py" "$PEBBLE_HTTP_PORT" "$webroot_port" 100
wait_for_port "$PEBBLE_HTTP_PORT" 10 || fail "host relay did not start: $(cat "$TEST_TMP/host-relay.log")"
issue_slow "$SLOW_URL" "$TEST_TMP/slowhost.log" slowhost.example
polls=$(polls_before_finalize "$TEST_TMP/slowhost.log")
assert_true "slow host: the early poll found the order pending and polling went on ($polls polls)" \
	test "$polls" -ge 2
stop_pid "$HOST_RELAY_PID"
wait_port_free "$PEBBLE_HTTP_PORT" 5 || fail "host relay port $PEBBLE_HTTP_PORT still in use"
webroot_stop
SOLVER=(--standalone "127.0.0.1:$PEBBLE_HTTP_PORT")

# Over HTTP/1.1 (fault_ca.py relays to Pebble without changing anything,
# behind the same kind of relay) a request sent while another is in flight
# needs a connection of its own: the poll waits for the challenge answer.
fault_ca_start none
relay_start h1_port "$FAULT_PORT"
H1_URL="https://localhost:$h1_port/dir"
run_acmectl --server "$H1_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register through the relay and the HTTP/1.1 front"
run_acmectl --server "$H1_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" -vv \
	issue "${SOLVER[@]}" h1.example
assert_rc 0 "issue h1.example through the HTTP/1.1 front"
printf '%s\n' "$ERR" >"$TEST_TMP/h1.log"
assert_cert_issued "$STATE/certs/h1.example" h1.example
assert_contains "$ERR" "HTTP/1.1 on a reused connection" "the front speaks HTTP/1.1"
assert_true "HTTP/1.1: the validation poll leaves after the challenge answer returned" \
	test "$(first_request /my-order/ "$TEST_TMP/h1.log")" -gt "$(first_response /chalZ/ "$TEST_TMP/h1.log")"
fault_ca_stop

test_done
