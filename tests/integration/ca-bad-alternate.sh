#!/bin/bash
# ca-bad-alternate.sh - --preferred-chain against a CA whose one alternate
# chain (Link rel="alternate", served by fault_ca.py) is unusable: random
# bytes, a PEM block of 4 MiB, an HTML page, or a chain whose top (the
# preferred issuer, "fault_ca test root") did not issue the certificate
# below it. The manual's rule: the default chain when none matches. An
# unusable alternate matches nothing, so issue --force saves Pebble's
# default chain (key 0600), says so in one line and exits 0. A chain that does not
# link is never saved: either the default chain is (exit 0), or nothing
# changes (exit 1, one line saying why). (cert-manager from v1.15.0 is
# stricter on the first and laxer on the second: getPreferredCertChain
# returns an alternate's failed fetch as the Order's error, and takes a
# chain whose top matches without checking that it links.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin alt.example
CERT="$STATE/certs/alt.example"
PREFERRED="fault_ca test root"

# unusable FAULT: the alternate is fetched once and passed over
unusable() {
	local fault=$1 start
	fault_ca_start "$fault" "$PORT"
	start=$(date +%s)
	fault_acme issue --force --webroot "$WWW" --preferred-chain "$PREFERRED" alt.example
	assert_rc 0 "$fault: issued"
	assert_eq "acmectl: no chain has the preferred top issuer \"$PREFERRED\"; keeping the default chain" \
		"$ERR" "$fault: one line saying the default chain is kept"
	assert_eq 1 "$(fault_events "^FAULT $fault POST /fault-alternate/")" \
		"$fault: the alternate was fetched once"
	assert_true "$fault: ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_cert_issued "$CERT" alt.example
	fault_ca_stop
}

unusable alternate-garbage
unusable alternate-huge
unusable alternate-not-pem

# alternate-unlinked: its top matches the preferred issuer, but the chain
# does not link
fault_ca_start alternate-unlinked "$PORT"
snap=$(state_snapshot "$STATE")
fault_acme issue --force --webroot "$WWW" --preferred-chain "$PREFERRED" alt.example
assert_eq 1 "$(fault_events "^FAULT alternate-unlinked POST /fault-alternate/")" \
	"alternate-unlinked: the alternate was fetched"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "alternate-unlinked: one line on stderr: $ERR"
assert_false "alternate-unlinked: the fault CA's root is in no saved file" \
	grep -rqF "$(sed -n 2p "$FAULT_CA_PEM")" "$STATE/archive"
if [ "$RC" = 0 ]; then
	assert_cert_issued "$CERT" alt.example
else
	assert_rc 1 "alternate-unlinked: refused"
	assert_contains "$ERR" "chain that does not link" "alternate-unlinked: says why"
	assert_state_unchanged "$snap" "$STATE" "alternate-unlinked: nothing changed (paths, modes, bytes)"
fi
fault_ca_stop
test_done
