#!/bin/bash
# ca-bad-order.sh - a CA whose order or authorization answers are wrong
# (fault_ca.py before Pebble): an order for other identifiers than asked,
# an order listing 500 authorizations for one name, a challenge token with
# a NUL in it. Each fails with exit 1 and one line naming the real cause,
# before any challenge is answered or anything written.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin live.example

# check_fault FAULT LINE NAME...: issue NAMEs through the front breaking
# FAULT: exit 1, stderr is one line matching the glob LINE, nothing written
# (the live certificate of live.example among what stays as it was).
check_fault() {
	local fault=$1 line=$2 snap start
	shift 2
	fault_ca_start "$fault" "$PORT"
	snap=$(state_snapshot "$STATE")
	start=$(date +%s)
	fault_acme issue --webroot "$WWW" "$@"
	assert_rc 1 "$fault: issue fails as the CA's answer is wrong"
	# shellcheck disable=SC2053 # LINE is a glob
	if [[ $ERR == $line ]]; then
		pass_ "$fault: one line, naming the cause"
	else
		fail_ "$fault: one line, naming the cause" "expected: $line" "actual:   $ERR"
	fi
	assert_true "$fault: issue ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_ne 0 "$(fault_events "^FAULT $fault ")" "$fault: the front sent its fault"
	assert_state_unchanged "$snap" "$STATE" "$fault: nothing written (paths, modes, bytes)"
	assert_eq "" "$(challenge_files "$WWW")" "$fault: no challenge file left in the webroot"
	fault_ca_stop
}

check_fault order-other-identifiers \
	"acmectl: the CA's order names evil.example.net, which was not asked for" \
	order.example www.order.example
assert_eq 0 "$(grep -c 'REQUEST POST /authZ/' "$FAULT_LOG")" \
	"order-other-identifiers: no authorization of the wrong order fetched"

check_fault authz-500 "acmectl: the CA's order lists 500 authorizations for 1 identifier" \
	one.example
assert_eq 0 "$(grep -c 'REQUEST POST /authZ/' "$FAULT_LOG")" \
	"authz-500: none of the 500 authorizations fetched"

check_fault token-nul "acmectl: fetch authorization: the CA's answer is not valid JSON: a string \
holds a NUL character (at byte [1-9]*[0-9])" token.example
assert_cert_issued "$STATE/certs/live.example" live.example
test_done
