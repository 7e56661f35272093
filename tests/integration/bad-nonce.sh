#!/bin/bash
# bad-nonce.sh - issuance while Pebble rejects half of all good nonces
# (PEBBLE_WFE_NONCEREJECT=50): badNonce is retried with the fresh nonce.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

PEBBLE_WFE_NONCEREJECT=50 pebble_start_webroot
assert_contains "$(cat "$PEBBLE_LOG")" "reject 50% of good nonces" "Pebble rejects 50% of nonces"

acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register under 50% badNonce"

for round in 1 2 3; do
	BEFORE=$(pebble_request_count)
	acme -v issue --webroot "$WWW" "a$round.example" "b$round.example" "c$round.example"
	assert_rc 0 "issue 3 names under 50% badNonce (round $round)"
	assert_cert_issued "$STATE/certs/a$round.example" "a$round.example" "b$round.example" "c$round.example"
	assert_contains "$ERR" "connections: 1," "one connection despite retries (round $round)"
	echo "# round $round: $(($(pebble_request_count) - BEFORE)) requests"
done
webroot_stop

acme issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" s.example
assert_rc 0 "issue --standalone under 50% badNonce"
assert_cert_issued "$STATE/certs/s.example" s.example

acme account show --json
assert_rc 0 "account show under 50% badNonce"
assert_eq valid "$(json_field "$OUT" status)" "account status valid"

test_done
