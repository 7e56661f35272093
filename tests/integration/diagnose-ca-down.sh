#!/bin/bash
# diagnose-ca-down.sh - `acmectl diagnose` against a CA that is reached but
# in maintenance (fault_ca.py before Pebble): the directory, or newNonce,
# answers 503 with a problem document. The verdict is ca_unavailable, not
# not_acme_directory; cert-manager's condition carries Go's *acme.Error text
# (cert-manager's RetryBackoff retries only 400, so the 503 comes back at
# once); the advice says it is an outage and does not send the user to
# spec.acme.server.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

pebble_start

# diagnose_down FAULT STEP INDEX DETAIL: diagnose through the front with
# FAULT; STEP (the INDEXth of the steps) fails with Go's DETAIL.
diagnose_down() {
	local start advice
	fault_ca_start "$1"
	start=$(date +%s%3N)
	run_acmectl --json diagnose --server "$FAULT_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout 5
	ELAPSED_MS=$(($(date +%s%3N) - start))
	assert_rc 1 "$1: diagnose finds a fault"
	assert_eq ca_unavailable "$(json_field "$OUT" verdict)" "$1: verdict ca_unavailable"
	assert_eq "$2 fail" "$(json_field "$OUT" "steps.$3.name") $(json_field "$OUT" "steps.$3.status")" \
		"$1: the $2 step failed"
	advice=$(json_field "$OUT" advice)
	assert_contains "$advice" "answers 503: it is reached but failing" "$1: advice says outage"
	assert_contains "$advice" "status page" "$1: advice names the CA's status page"
	assert_not_contains "$advice" "check spec.acme.server" "$1: not sent to spec.acme.server"
	assert_eq "Failed to register ACME account: $4" "$(json_field "$OUT" cert_manager.message)" \
		"$1: cert-manager's condition has Go's text"
	assert_true "$1: within 20 s ($ELAPSED_MS ms)" test "$ELAPSED_MS" -lt 20000
	fault_ca_stop
}

diagnose_down directory-503 http 6 \
	'503 urn:ietf:params:acme:error:serverInternal: the front says 503: down for maintenance'
diagnose_down nonce-503 nonce 7 '503 : 503 Service Unavailable'

test_done
