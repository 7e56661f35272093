#!/bin/bash
# reuse-key.sh - `issue --reuse-key`: renewals keep the private key (same
# SubjectPublicKeyInfo in every generation, each with its own 0600 copy),
# remembered for renew; without it the key changes; a kept key that is no
# longer of the type asked for, or unreadable, stops the issuance with one
# line and never becomes a new key silently; --no-reuse-key turns it off.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot

# spki NAME [GEN]: SHA-256 of the public key of certificate NAME's key
# (of generation GEN, else the live one).
spki() {
	local f="$STATE/certs/$1/privkey.pem"
	[ -z "${2:-}" ] || f="$STATE/archive/$1/$2/privkey.pem"
	pubkey_of "$f" | sha256sum | cut -d' ' -f1
}
# cert_spki NAME: the same of the live certificate's public key.
cert_spki() {
	pubkey_of "$STATE/certs/$1/cert.pem" | sha256sum | cut -d' ' -f1
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos --reuse-key a.example
assert_rc 0 "issue --reuse-key"
assert_eq true "$(json_field "$STATE/certs/a.example/issuance.json" reuse_key)" \
	"the record remembers reuse_key"
FIRST=$(spki a.example)
assert_ne "$(echo -n | sha256sum | cut -d' ' -f1)" "$FIRST" "the first key has a public key"

acme renew --force
assert_rc 0 "first renewal"
acme renew --force
assert_rc 0 "second renewal"
assert_eq ../archive/a.example/3 "$(readlink "$STATE/certs/a.example")" "three generations"
assert_eq "$FIRST" "$(spki a.example 2)" "the first renewal kept the key"
assert_eq "$FIRST" "$(spki a.example 3)" "the second renewal kept the key"
assert_eq "$FIRST" "$(cert_spki a.example)" "the certificate is for the kept key"
assert_file_mode "$STATE/archive/a.example/3/privkey.pem" 600
assert_false "the new generation's key is a copy, not a link" \
	test -L "$STATE/archive/a.example/3/privkey.pem"
assert_eq ec256 "$(key_type_of "$STATE/certs/a.example/privkey.pem")" "still ec256"

# without it, a renewal makes a new key
acme issue --webroot "$WWW" b.example
assert_rc 0 "issue b.example without --reuse-key"
assert_eq "" "$(json_field "$STATE/certs/b.example/issuance.json" reuse_key)" \
	"no reuse_key in its record"
B_FIRST=$(spki b.example)
acme renew --force b.example
assert_rc 0 "renew b.example"
assert_ne "$B_FIRST" "$(spki b.example)" "without --reuse-key the key changes"

# the kept key no longer what is asked for: refused, nothing replaced
export SNAPSHOT_BUT_FAILURE_RECORD=1
BEFORE=$(state_snapshot "$STATE")
acme issue --webroot "$WWW" --force --key-type rsa2048 a.example
assert_rc 2 "--key-type rsa2048 with an ec256 key kept"
assert_contains "$ERR" "the kept key" "the error is about the kept key"
assert_contains "$ERR" "is not rsa2048" "and names the type asked for"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "in one line"
assert_state_unchanged "$BEFORE" "$STATE" "no new generation, the key untouched"

# an unreadable kept key: refused, never replaced by a new one
CUR=$STATE/archive/a.example/3/privkey.pem
cp -p "$CUR" "$TEST_TMP/key.saved"
printf 'not a key\n' >"$CUR"
BEFORE=$(state_snapshot "$STATE")
acme renew --force a.example
assert_rc_in "1 2" "renew with an unreadable kept key fails"
assert_contains "$ERR" "--reuse-key cannot keep its key" "and says why"
assert_state_unchanged "$BEFORE" "$STATE" "no new generation with a new key"
cp -p "$TEST_TMP/key.saved" "$CUR"
unset SNAPSHOT_BUT_FAILURE_RECORD

# the flags' own rules
acme issue --webroot "$WWW" --reuse-key --no-reuse-key c.example
assert_rc 2 "--reuse-key with --no-reuse-key"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=d.example \
	-addext subjectAltName=DNS:d.example -keyout "$TEST_TMP/d.key" -out "$TEST_TMP/d.csr" 2>/dev/null
acme issue --webroot "$WWW" --csr "$TEST_TMP/d.csr" --reuse-key d.example
assert_rc 2 "--reuse-key with --csr"
assert_contains "$ERR" "--reuse-key cannot be used with --csr" "says why"

# --no-reuse-key forgets it: the next issuance makes a new key
acme issue --webroot "$WWW" --force --no-reuse-key a.example
assert_rc 0 "issue --no-reuse-key"
assert_ne "$FIRST" "$(spki a.example)" "a new key"
assert_eq "" "$(json_field "$STATE/certs/a.example/issuance.json" reuse_key)" \
	"reuse_key forgotten"

test_done
