#!/bin/bash
# ca-bad-alternate.sh - --preferred-chain against a CA whose one alternate
# chain (Link rel="alternate", served by fault_ca.py) is unusable: random
# bytes, a PEM block of 4 MiB, an HTML page, a chain whose top (the
# preferred issuer, "fault_ca test root") did not issue the certificate
# below it, an HTTP 500 every time, or a TCP reset. The certificate the CA
# issued is never lost to an optional alternate: issue --force saves a new
# certificate with Pebble's default chain (verified, key 0600), says in one
# line which alternate was passed over and why, and exits 0; the alternate
# is asked for once (the 500 as often as acmectl retries a server error),
# and the fault CA's root is in no saved file. (cert-manager, every release,
# fails the Order's sync on an alternate it cannot fetch or parse, and takes
# the unlinked chain whose top matches: diagnose-alternate.sh.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin alt.example
CERT="$STATE/certs/alt.example"
PREFERRED="fault_ca test root"

# fingerprint FILE: the SHA-256 fingerprint of the certificate in FILE.
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 2>&1
}

# unusable FAULT FETCHES REASON: the alternate is fetched FETCHES times (N,
# or LO-HI) and passed over for REASON
unusable() {
	local fault=$1 fetches=$2 reason=$3 start before n
	fault_ca_start "$fault" "$PORT"
	before=$(fingerprint "$CERT/cert.pem")
	start=$(date +%s)
	fault_acme issue --force --webroot "$WWW" --preferred-chain "$PREFERRED" alt.example
	assert_rc 0 "$fault: issued"
	assert_eq "acmectl: the alternate chain https://localhost:$PORT/fault-alternate/$fault $reason; keeping the default chain" \
		"$ERR" "$fault: one line naming the alternate and why, and that the default chain is kept"
	n=$(fault_events "^FAULT $fault POST /fault-alternate/")
	assert_true "$fault: the alternate was fetched $fetches time(s), not $n" \
		test "$n" -ge "${fetches%-*}" -a "$n" -le "${fetches#*-}"
	assert_true "$fault: ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_ne "$before" "$(fingerprint "$CERT/cert.pem")" "$fault: a new certificate was saved"
	assert_cert_issued "$CERT" alt.example
	assert_false "$fault: the fault CA's root is in no saved file" \
		grep -rqF "$(sed -n 2p "$FAULT_CA_PEM")" "$STATE/archive"
	fault_ca_stop
}

INTERMEDIATE=$(pebble_intermediate_pem | openssl x509 -noout -subject -nameopt compat)
INTERMEDIATE=${INTERMEDIATE#subject=}

unusable alternate-garbage 1 "holds no PEM certificate"
# 28 + 4 MiB + 27 bytes: one PEM block of 4 MiB
unusable alternate-huge 1 "is 4194359 bytes, more than the 64 KiB a chain may take"
unusable alternate-not-pem 1 "holds no PEM certificate"
unusable alternate-unlinked 1 "is a chain that does not link: certificate 1 names the issuer \
$INTERMEDIATE, certificate 2 is /CN=fault_ca test root"
# a server error is retried 3 times (acme.c's SERVER_RETRIES), at once as
# Retry-After 0 asks
unusable alternate-500 4 "could not be downloaded: download alternate chain: serverInternal: \
alternate chain store down"
# curl sends a request once more on a fresh connection when the reused one
# dies before any answer
unusable alternate-reset 1-2 "could not be downloaded: download alternate chain: request to \
localhost:$PORT failed: Recv failure: Connection reset by peer"
test_done
