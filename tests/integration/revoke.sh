#!/bin/bash
# revoke.sh - revoke on Pebble: by NAME (the account signs, the state is
# marked), with --reason, with --cert and with --cert FILE --cert-key KEY (no
# account needed), twice (the server's alreadyRevoked, exit 1, state marked
# anyway), the certificate's own server when --server is not given, and bad
# input refused before any request. Pebble's management API
# (/cert-status-by-serial/SERIAL) is the judge of what was revoked.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot

# serial_of CERT: the serial as Pebble spells it (lowercase hex, no leading 0)
serial_of() {
	openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//'
}

# pebble_status CERT [FIELD]: Status (or FIELD) of CERT in Pebble's records.
pebble_status() {
	local doc
	doc=$(pebble_curl -s --max-time 5 --cacert "$PEBBLE_CA" \
		"$PEBBLE_MGMT/cert-status-by-serial/$(serial_of "$1")") || true
	json_field "$doc" "${2:-Status}"
}

# issue_cert NAME: issues NAME into $STATE or fails the test.
issue_cert() {
	acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos "$1"
	[ "$RC" = 0 ] || fail "issue $1: $ERR"
}

for n in one two three four five six; do
	issue_cert "$n.example"
done
for n in one two three four five six; do
	cp "$STATE/certs/$n.example/cert.pem" "$TEST_TMP/$n.pem"
done
assert_eq Valid "$(pebble_status "$TEST_TMP/one.pem")" "Pebble knows one.example as Valid"

# by NAME, no reason
ISS="$STATE/certs/one.example/issuance.json"
acme revoke one.example
assert_rc 0 "revoke one.example"
assert_contains "$OUT" "certificate one.example revoked" "revoke says what it revoked"
assert_eq Revoked "$(pebble_status "$TEST_TMP/one.pem")" "Pebble has one.example revoked"
AT=$(json_field "$ISS" revoked.at)
ISO_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
assert_true "issuance.json revoked.at is an ISO time ($AT)" grep -qE "$ISO_RE" <<<"$AT"
assert_eq 0 "$(json_field "$ISS" revoked.reason)" "no --reason is recorded as 0 (unspecified)"
assert_eq one.example "$(json_field "$ISS" names)" "issuance.json keeps the rest of the record"
assert_file_mode "$ISS" 644

# twice: the server's alreadyRevoked, exit 1; the first mark stays
sleep 1
acme revoke one.example --reason superseded
assert_rc 1 "revoke one.example again"
assert_contains "$ERR" "alreadyRevoked" "the second revoke reports the server's alreadyRevoked"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "the error is one line"
assert_eq "$AT" "$(json_field "$ISS" revoked.at)" "the first revocation's time is kept"
assert_eq 0 "$(json_field "$ISS" revoked.reason)" "the first revocation's reason is kept"

# with --reason, --json
acme revoke two.example --reason keyCompromise --json
assert_rc 0 "revoke two.example --reason keyCompromise"
assert_true "revoke --json prints one JSON object" is_json_object "$OUT"
assert_eq revoked "$(json_field "$OUT" status)" "--json status"
assert_eq two.example "$(json_field "$OUT" name)" "--json name"
assert_eq 1 "$(json_field "$OUT" reason)" "--json reason"
assert_eq "$(serial_of "$TEST_TMP/two.pem")" \
	"$(json_field "$OUT" serial | tr 'A-F' 'a-f' | sed 's/^0*//')" "--json serial"
assert_eq Revoked "$(pebble_status "$TEST_TMP/two.pem")" "Pebble has two.example revoked"
assert_eq 1 "$(pebble_status "$TEST_TMP/two.pem" Reason)" "Pebble records reason 1 (keyCompromise)"
assert_eq 1 "$(json_field "$STATE/certs/two.example/issuance.json" revoked.reason)" \
	"issuance.json records reason 1"

# --cert FILE --cert-key KEY: signed by the certificate's key, no account at all
cp "$STATE/certs/three.example/privkey.pem" "$TEST_TMP/three.key"
NOACCT="$TEST_TMP/no-account"
STATE="$NOACCT" acme revoke --cert "$TEST_TMP/three.pem" --cert-key "$TEST_TMP/three.key" --reason 4
assert_rc 0 "revoke --cert --cert-key without an account"
assert_eq Revoked "$(pebble_status "$TEST_TMP/three.pem")" "Pebble has three.example revoked"
assert_eq 4 "$(pebble_status "$TEST_TMP/three.pem" Reason)" "Pebble records reason 4 (superseded)"
assert_no_file "$(pebble_account_dir "$NOACCT")/key.pem" "revoking with the certificate key creates no account"
assert_eq "" "$(json_field "$STATE/certs/three.example/issuance.json" revoked)" \
	"--cert FILE marks no stored certificate"

# the wrong key is refused before any request
BEFORE=$(pebble_request_count)
acme revoke --cert "$TEST_TMP/four.pem" --cert-key "$TEST_TMP/three.key"
assert_rc 2 "revoke --cert with another certificate's key"
assert_contains "$ERR" "is not the key of the certificate" "says the key does not match"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request for a mismatched key"
assert_eq Valid "$(pebble_status "$TEST_TMP/four.pem")" "four.example stays valid"

# --cert FILE signed by the account
acme revoke --cert "$TEST_TMP/four.pem"
assert_rc 0 "revoke --cert FILE with the account key"
assert_eq Revoked "$(pebble_status "$TEST_TMP/four.pem")" "Pebble has four.example revoked"

# without --server, NAME is revoked where it was issued
run_acmectl --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" revoke five.example
assert_rc 0 "revoke five.example without --server"
assert_eq Revoked "$(pebble_status "$TEST_TMP/five.pem")" "Pebble has five.example revoked"

# revoked elsewhere first: alreadyRevoked still marks the stored certificate
acme revoke --cert "$TEST_TMP/six.pem"
assert_rc 0 "revoke six.example's file"
assert_eq "" "$(json_field "$STATE/certs/six.example/issuance.json" revoked)" "six.example not marked yet"
acme revoke six.example
assert_rc 1 "revoke six.example by NAME after that"
assert_contains "$ERR" "alreadyRevoked" "the server's alreadyRevoked is reported"
assert_contains "$ERR" "marked revoked in the state" "and the marking is said"
assert_ne "" "$(json_field "$STATE/certs/six.example/issuance.json" revoked.at)" \
	"six.example is marked revoked"

# bad input: exit 2, no request
BEFORE=$(pebble_request_count)
acme revoke nosuch.example
assert_rc 2 "revoke an unknown NAME"
assert_contains "$ERR" "no certificate \"nosuch.example\"" "names the missing certificate"
acme revoke --cert "$TEST_TMP/missing.pem"
assert_rc 2 "revoke --cert of a missing file"
printf 'not a certificate\n' >"$TEST_TMP/junk.pem"
acme revoke --cert "$TEST_TMP/junk.pem"
assert_rc 2 "revoke --cert of a file without a certificate"
acme revoke one.example --reason 7
assert_rc 2 "--reason 7 (unused in RFC 5280)"
acme revoke one.example --cert "$TEST_TMP/one.pem"
assert_rc 2 "NAME and --cert together"
assert_eq "$BEFORE" "$(pebble_request_count)" "bad input makes no request"

test_done
