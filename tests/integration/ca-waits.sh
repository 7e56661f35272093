#!/bin/bash
# ca-waits.sh - a CA that makes acmectl wait (fault_ca.py before Pebble): a
# Retry-After of 999999999 s on a challenge answer and on a processing order,
# an order pending forever (with Retry-After: 0 too), a pending order without
# authorizations, a certificate body trickling at 1 byte/s on the reused
# connection, and 1,000 Link rel="alternate" headers on the certificate. Every run ends well within
# a generous bound with the documented exit code and one line naming the
# cause; a failed one leaves the state directory as it was.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin live.example

# check_wait FAULT RC LINE BOUND ARGS...: runs acmectl ARGS through the
# front breaking FAULT: exit RC, stderr is one line matching the glob LINE,
# the run ends within BOUND seconds, the front sent its fault, the state
# directory is unchanged and no challenge file is left in the webroot.
check_wait() {
	local fault=$1 rc=$2 line=$3 bound=$4 snap start
	shift 4
	fault_ca_start "$fault" "$PORT"
	snap=$(state_snapshot "$STATE")
	start=$(date +%s)
	fault_acme "$@"
	TOOK=$(($(date +%s) - start))
	assert_rc "$rc" "$fault: acmectl $*"
	# shellcheck disable=SC2053 # LINE is a glob
	if [[ $ERR == $line ]]; then
		pass_ "$fault: one line, naming the cause"
	else
		fail_ "$fault: one line, naming the cause" "expected: $line" "actual:   $ERR"
	fi
	assert_true "$fault: ends within $bound s (took $TOOK s)" test "$TOOK" -le "$bound"
	assert_ne 0 "$(fault_events "^FAULT $fault ")" "$fault: the front sent its fault"
	assert_state_unchanged "$snap" "$STATE" "$fault: nothing written (paths, modes, bytes)"
	assert_eq "" "$(challenge_files "$WWW")" "$fault: no challenge file left in the webroot"
}

# A wait the server asks for that no deadline could hold fails at once,
# under the default --deadline of 300 s too, naming the server's delay.
check_wait retry-after-challenge 3 "acmectl: wait for validation: the server asked to wait \
999999999 s, more than the [0-9]* s left of --deadline" 20 \
	issue --webroot "$WWW" challenge.example
assert_eq 0 "$(fault_events '^REQUEST POST /my-order/')" \
	"retry-after-challenge: the order is never polled"
fault_ca_stop

check_wait retry-after-processing 3 "acmectl: wait for the certificate: the server asked to \
wait 999999999 s, more than the [0-9]* s left of --deadline" 20 \
	issue --webroot "$WWW" processing.example
fault_ca_stop

# The same from renew, which holds the renew lock meanwhile: the run ends,
# exit 3 as issue's (the one kind of its failures), the live certificate
# untouched; the next
# run gets the lock and renews. (A renew with nothing due makes the lock
# file first, so the snapshot compares what the failed renewal did.)
fault_acme renew live.example
assert_rc 0 "nothing due: no request, the lock file made"
check_wait retry-after-processing 3 "acmectl: 1 of 1 certificates failed to renew or deploy: \
live.example: wait for the certificate: the server asked to wait 999999999 s, more than the \
[0-9]* s left of --deadline" 20 \
	renew --force live.example
assert_contains "$OUT" "live.example: failed: wait for the certificate: the server asked to \
wait 999999999 s, more than" "renew says which certificate failed and why"
fault_ca_stop
fault_ca_start none "$PORT"
fault_acme renew --force live.example
assert_rc 0 "the next renew takes the lock and renews"
fault_ca_stop

# An order that never moves ends with --deadline, after polling meanwhile.
check_wait order-pending-forever 3 "acmectl: wait for validation: the order is still pending, \
and --deadline 5 s ends before another poll" 20 \
	issue --webroot "$WWW" --deadline 5 pending.example
assert_true "order-pending-forever: polled until near the deadline (took $TOOK s)" \
	test "$TOOK" -ge 3
assert_true "order-pending-forever: polled more than once" \
	test "$(fault_events '^FAULT order-pending-forever ')" -ge 2
fault_ca_stop

# "Retry-After: 0" on every poll does not make a busy loop: the polls back
# off as without it (about 15 in 4 s; without the backoff, hundreds).
check_wait order-pending-retry-0 3 "acmectl: wait for validation: the order is still pending, \
and --deadline 5 s ends before another poll" 20 \
	issue --webroot "$WWW" --deadline 5 retry0.example
assert_true "order-pending-retry-0: at most 30 polls ($(fault_events '^FAULT order-pending-retry-0 '))" \
	test "$(fault_events '^FAULT order-pending-retry-0 ')" -le 30
fault_ca_stop

# A pending order without authorizations can never become ready: exit 1 at
# once, under the default deadline, with no poll.
check_wait order-no-authz 1 "acmectl: the CA's order is pending but lists no authorizations" 20 \
	issue --webroot "$WWW" noauthz.example
assert_eq 0 "$(fault_events '^REQUEST POST /(my-order|authZ)/')" \
	"order-no-authz: neither polled nor an authorization fetched"
fault_ca_stop

# A body trickling in on the connection used all along is named as such,
# not as a TLS handshake (a reused connection has none of its own).
check_wait body-trickle 3 "acmectl: download certificate: timed out after 3 s receiving the \
body from localhost:$PORT" 20 \
	issue --webroot "$WWW" --timeout 3 trickle.example
fault_ca_stop

# --deadline cuts a request's --timeout to what is left, and says so.
check_wait body-trickle 3 "acmectl: download certificate: timed out after [1-8] s (what was \
left of --deadline) receiving the body from localhost:$PORT" 25 \
	issue --webroot "$WWW" --deadline 8 trickle2.example
fault_ca_stop

# 1,000 alternates, each answering with 1,000 more: 10 are looked at, then
# the default chain is kept.
fault_ca_start link-alternate-1000 "$PORT"
start=$(date +%s)
fault_acme issue --webroot "$WWW" --preferred-chain "No Such Root" links.example
TOOK=$(($(date +%s) - start))
assert_rc 0 "link-alternate-1000: issued with the default chain"
assert_contains "$ERR" "no chain has the preferred top issuer \"No Such Root\"" \
	"link-alternate-1000: says the default chain is kept"
# (answers counted, not requests: Pebble refuses some nonces, and a POST
# refused for its nonce is sent again)
assert_eq 11 "$(fault_events '^FAULT link-alternate-1000 ')" \
	"link-alternate-1000: the certificate and 10 alternates downloaded, no more"
assert_true "link-alternate-1000: ends within 20 s (took $TOOK s)" test "$TOOK" -le 20
assert_cert_issued "$STATE/certs/links.example" links.example
fault_ca_stop

assert_cert_issued "$STATE/certs/live.example" live.example
test_done
