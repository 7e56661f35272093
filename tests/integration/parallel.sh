#!/bin/bash
# parallel.sh - requests in flight at once. Over a 100 ms round trip (a
# delaying relay in front of Pebble, as the bench's) authorizations are
# fetched and challenges answered in rounds of at most --parallel requests
# (fewer when that takes no more rounds), the first answers riding with the
# last fetches, still correct when Pebble rejects 30 % of nonces; the first
# validation poll leaves while the last answers are still in flight (one
# round trip fewer when the CA validates meanwhile: round-trips.sh counts
# them), unless --parallel leaves no room for it; on loopback (no round
# trip to save) requests stay one at a time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

export PEBBLE_WFE_NONCEREJECT=30
pebble_start_webroot

pebble_port=${PEBBLE_DIR_URL#https://localhost:}
pebble_port=${pebble_port%%/*}
pebble_free_port relay_port
spawn RELAY_PID "$TEST_TMP/relay.log" \
	python3 "$(dirname "$0")/../lib/delay_relay.py" "$relay_port" "$pebble_port" 50
wait_for_port "$relay_port" 10 || fail "relay did not start: $(cat "$TEST_TMP/relay.log")"
SLOW_URL="https://localhost:$relay_port/dir"

# Positions of the first request line and the first response line for a path.
first_request() { grep -n -- "POST https://[^ ]*$1[^ ]* direct" "$2" | head -n1 | cut -d: -f1; }
first_response() { grep -n -- "POST https://[^ ]*$1[^ ]* -> " "$2" | head -n1 | cut -d: -f1; }
requests_before_first_response() {
	local limit
	limit=$(first_response "$1" "$2")
	head -n "$limit" "$2" | grep -c -- "POST https://[^ ]*$1[^ ]* direct"
}

# The most requests in flight at once in a -v log: a "direct" line starts
# one, a "->" line ends one.
max_in_flight() {
	awk '/ https:[^ ]* direct/ { n++; if (n > max) max = n } / https:[^ ]* -> / { n-- }
		END { print max + 0 }' "$1"
}
last_response() { grep -n -- "POST https://[^ ]*$1[^ ]* -> " "$2" | tail -n1 | cut -d: -f1; }

names="p1.example p2.example p3.example p4.example p5.example p6.example"

run_acmectl --server "$SLOW_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register through the relay"

# shellcheck disable=SC2086
run_acmectl --server "$SLOW_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" -v \
	issue --parallel 4 --webroot "$WWW" $names
assert_rc 0 "issue 6 names through a 100 ms round trip with --parallel 4"
printf '%s\n' "$ERR" >"$TEST_TMP/slow.log"
# shellcheck disable=SC2086
assert_cert_issued "$STATE/certs/p1.example" $names
assert_eq 4 "$(requests_before_first_response /authZ/ "$TEST_TMP/slow.log")" \
	"four authorization fetches in flight before the first answer"
assert_true "the first challenge answers ride with the last authorization fetches" \
	test "$(first_request /chalZ/ "$TEST_TMP/slow.log")" -lt "$(last_response /authZ/ "$TEST_TMP/slow.log")"
assert_eq 4 "$(max_in_flight "$TEST_TMP/slow.log")" "never more than --parallel 4 requests in flight"
assert_true "--parallel 4 leaves no room for a poll beside the last 4 answers: polled after them" \
	test "$(first_request /my-order/ "$TEST_TMP/slow.log")" -gt "$(last_response /chalZ/ "$TEST_TMP/slow.log")"
assert_contains "$ERR" "connections: 1," "one connection for the whole run"
assert_eq "" "$(challenge_files "$WWW")" "challenge files removed"

# 9 names at the default --parallel 8 take 3 rounds (fetches, then fetches
# and answers, then answers), as they do 6 wide: 6 in flight, and the early
# validation poll beside the last 6 answers, so 7 nonces are enough (fetched
# beside newOrder) and one HEAD newNonce request is saved.
names9="q1.example q2.example q3.example q4.example q5.example q6.example q7.example q8.example q9.example"
# shellcheck disable=SC2086
run_acmectl --server "$SLOW_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" -v \
	issue --webroot "$WWW" $names9
assert_rc 0 "issue 9 names through a 100 ms round trip with --parallel 8"
printf '%s\n' "$ERR" >"$TEST_TMP/slow9.log"
# shellcheck disable=SC2086
assert_cert_issued "$STATE/certs/q1.example" $names9
assert_eq 6 "$(requests_before_first_response /authZ/ "$TEST_TMP/slow9.log")" \
	"six authorization fetches in flight before the first answer"
assert_eq 7 "$(max_in_flight "$TEST_TMP/slow9.log")" \
	"never more than 7 requests in flight (newOrder and 6 HEADs; 6 answers and the poll)"
assert_true "the first validation poll leaves before the last challenge answer returned" \
	test "$(first_request /my-order/ "$TEST_TMP/slow9.log")" -lt "$(last_response /chalZ/ "$TEST_TMP/slow9.log")"


# shellcheck disable=SC2086
acme -v issue --force --email admin@acmectl.example --agree-tos --webroot "$WWW" $names
assert_rc 0 "issue 6 names on loopback"
printf '%s\n' "$ERR" >"$TEST_TMP/fast.log"
assert_eq 1 "$(requests_before_first_response /authZ/ "$TEST_TMP/fast.log")" \
	"on loopback one authorization fetch at a time"
assert_eq 1 "$(max_in_flight "$TEST_TMP/fast.log")" "on loopback one request at a time"
assert_true "on loopback the validation poll waits for the last challenge answer" \
	test "$(first_request /my-order/ "$TEST_TMP/fast.log")" -gt "$(last_response /chalZ/ "$TEST_TMP/fast.log")"

test_done
