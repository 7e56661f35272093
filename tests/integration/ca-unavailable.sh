#!/bin/bash
# ca-unavailable.sh - a CA whose directory answers 503, or 429 with
# Retry-After (fault_ca.py before Pebble): the directory is asked again with
# backoff (4 tries in all), then exit 3 "the CA is unavailable: HTTP 503 ..."
# (asked when no directory is kept from an earlier run, or when the kept
# one's first request fails too: down for everything)
# with what its problem document says, not exit 2 "not an ACME directory";
# renew names the certificate that could not be renewed; nothing written.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin up.example

# check_down FAULT STATUS: issue and renew --force through the front
# answering the directory with STATUS.
check_down() {
	local fault=$1 status=$2 snap start said
	said="acmectl: the CA is unavailable: HTTP $status from $URL after 4 tries: serverInternal: the front says $status: down for maintenance"
	fault_ca_start "$fault" "$PORT"
	rm -f "$STATE/accounts/localhost_$PORT/directory.json"
	snap=$(state_snapshot "$STATE")
	start=$(date +%s)
	fault_acme issue --force --webroot "$WWW" up.example
	assert_rc 3 "$fault: issue says the CA is unavailable"
	assert_eq "$said" "$ERR" "$fault: one line with the status and the problem's words"
	assert_eq 4 "$(fault_events '^REQUEST GET /dir$')" "$fault: the directory was asked 4 times"
	assert_true "$fault: issue ends within 40 s" test $(($(date +%s) - start)) -le 40
	assert_state_unchanged "$snap" "$STATE" "$fault: issue wrote nothing"

	start=$(date +%s)
	fault_acme renew --force
	assert_rc 3 "$fault: renew fails, as issue does, with the network's exit status"
	assert_eq "acmectl: 1 of 1 certificates failed to renew or deploy: up.example: ${said#acmectl: }" \
		"$ERR" "$fault: renew names the certificate and why, in one line"
	assert_true "$fault: renew ends within 40 s" test $(($(date +%s) - start)) -le 40
	assert_state_unchanged "$snap" "$STATE" "$fault: renew wrote nothing"
	fault_ca_stop
}

check_down directory-503 503
check_down directory-429 429

# down for everything, with its directory kept from an earlier run: the
# failed nonce request makes it ask the directory, which says the same
fault_ca_start none "$PORT"
fault_acme renew --force
assert_rc 0 "renew --force through the front without a fault (keeps the directory again)"
assert_file_exists "$STATE/accounts/localhost_$PORT/directory.json" "the directory is kept"
fault_ca_stop
fault_ca_start down-503 "$PORT"
SNAP=$(state_snapshot "$STATE")
fault_acme renew --force
assert_rc 3 "down for everything, with the directory kept: renew fails (exit 3)"
assert_eq "acmectl: 1 of 1 certificates failed to renew or deploy: up.example: the CA is unavailable: HTTP 503 from $URL after 4 tries: serverInternal: the front says 503: down for maintenance" \
	"$ERR" "down for everything: the same line as when the directory alone is down"
assert_true "the kept directory's nonce URL was asked first" \
	test "$(fault_events '^REQUEST HEAD /nonce-plz$')" -ge 1
assert_eq 4 "$(fault_events '^REQUEST GET /dir$')" "then the directory, 4 times"
assert_state_unchanged "$SNAP" "$STATE" "down for everything: renew wrote nothing"
fault_ca_stop

# a directory that is not one (404) is still the user's mistake: exit 2, at once
fault_ca_start none "$PORT"
run_acmectl --server "${URL%/dir}/no-such-dir" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	issue --force --webroot "$WWW" up.example
assert_rc 2 "a URL that is no directory is a usage error"
assert_contains "$ERR" "is not an ACME directory: HTTP 404" "and says so"
assert_eq 1 "$(fault_events '^REQUEST GET /no-such-dir$')" "a 404 is not asked again"
fault_ca_stop
test_done
