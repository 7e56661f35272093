#!/bin/bash
# ca-bad-cert.sh - a CA that returns a wrong certificate (fault_ca.py before
# Pebble): one that is no certificate, for another public key, for other
# names, expired, not yet valid, or with a chain that does not link or whose
# signature does not verify. Each is refused before anything is written,
# through `issue --force` and through `renew --force`: exit 1, one line
# "the CA returned a certificate that <reason>" (renew: naming the
# certificate), and every file of the state directory, the live
# certificate among them, byte-identical with the same modes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin bad.example www.bad.example
assert_file_exists "$STATE/lock"
CERT="$STATE/certs/bad.example"
REASON="the CA returned a certificate that"

# check_fault FAULT REASON: issue --force and renew --force through the
# front breaking answers with FAULT both fail with REASON and write nothing.
check_fault() {
	local fault=$1 reason=$2 snap start
	fault_ca_start "$fault" "$PORT"
	snap=$(state_snapshot "$STATE")
	start=$(date +%s)
	fault_acme issue --force --webroot "$WWW" bad.example www.bad.example
	assert_rc 1 "$fault: issue refuses the certificate"
	assert_eq "acmectl: $REASON $reason" "$ERR" "$fault: issue says why, in one line"
	assert_true "$fault: issue ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_eq 1 "$(fault_events "^FAULT $fault POST /certZ/")" "$fault: the front sent its certificate"
	assert_state_unchanged "$snap" "$STATE" "$fault: issue wrote nothing but its failure (paths, modes, bytes)"
	assert_contains "$(json_field "$CERT/issuance.json" last_error)" "$REASON $reason" \
		"$fault: the failure is recorded with the certificate"

	start=$(date +%s)
	fault_acme renew --force
	assert_rc 1 "$fault: renew refuses it too"
	assert_eq "acmectl: 1 of 1 certificates failed to renew or deploy: bad.example: $REASON $reason" \
		"$ERR" "$fault: renew names the certificate and why, in one line"
	assert_contains "$OUT" "bad.example: failed: $REASON $reason" "$fault: the renew line says it"
	assert_true "$fault: renew ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_state_unchanged "$snap" "$STATE" "$fault: renew wrote nothing but its failure (paths, modes, bytes)"
	fault_ca_stop
}

check_fault cert-not-a-cert "is not a certificate"
check_fault cert-other-key "is for another public key than the CSR's"
check_fault cert-other-names "names evil.example.net, which was not asked for"
check_fault cert-expired "expired at 2020-04-01 00:00:00 UTC"
check_fault cert-not-yet-valid "is not valid until 2099-01-01 00:00:00 UTC"
check_fault chain-bad-signature \
	"comes with a chain whose signatures do not verify: certificate 1 is not signed by the key of certificate 2"
INTERMEDIATE=$(openssl x509 -in "$CERT/chain.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
check_fault chain-unlinked "comes with a chain that does not link: certificate 1 names the issuer $INTERMEDIATE, certificate 2 is /CN=fault_ca test root"

# the certificate issued first is still the live one, whole and usable
assert_cert_issued "$CERT" bad.example www.bad.example

# and a CA that answers rightly again is taken at once
fault_ca_start none "$PORT"
fault_acme renew --force
assert_rc 0 "renew through a CA without a fault works again"
assert_cert_issued "$CERT" bad.example www.bad.example
fault_ca_stop
test_done
