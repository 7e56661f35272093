#!/bin/bash
# csr.sh - issue --csr with the user's own key: names must equal the CSR's;
# a mismatching, unreadable or malformed CSR is exit 2 with nothing written.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register"

# an EC CSR for two names, given in the CSR's order and in another order
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$TEST_TMP/ec.key" \
	-subj /CN=csr.example -addext "subjectAltName=DNS:csr.example,DNS:www.csr.example" \
	-out "$TEST_TMP/ec.csr" 2>/dev/null
acme issue --webroot "$WWW" --csr "$TEST_TMP/ec.csr" csr.example www.csr.example
assert_rc 0 "issue --csr (EC, same names)"
CERT_FROM_CSR="$TEST_TMP/ec.csr" assert_cert_issued "$STATE/certs/csr.example" csr.example www.csr.example
assert_eq "$(pubkey_of "$TEST_TMP/ec.key")" "$(pubkey_of "$STATE/certs/csr.example/cert.pem")" \
	"certificate is for the user's key"
assert_no_file "$STATE/certs/csr.example/privkey.pem" "no privkey.pem written for a user CSR"

acme issue --force --webroot "$WWW" --csr "$TEST_TMP/ec.csr" --name reordered www.csr.example csr.example
assert_rc 0 "issue --csr with the names in another order"
CERT_FROM_CSR="$TEST_TMP/ec.csr" assert_cert_issued "$STATE/certs/reordered" csr.example www.csr.example

# an RSA CSR
openssl req -new -nodes -newkey rsa:2048 -keyout "$TEST_TMP/rsa.key" -subj /CN=rsa-csr.example \
	-addext "subjectAltName=DNS:rsa-csr.example" -out "$TEST_TMP/rsa.csr" 2>/dev/null
acme issue --webroot "$WWW" --csr "$TEST_TMP/rsa.csr" rsa-csr.example
assert_rc 0 "issue --csr (RSA)"
CERT_FROM_CSR="$TEST_TMP/rsa.csr" assert_cert_issued "$STATE/certs/rsa-csr.example" rsa-csr.example
assert_eq rsa2048 "$(key_type_of "$STATE/certs/rsa-csr.example/cert.pem")" "certificate holds the RSA key"

# bad CSRs: exit 2, one line naming the problem, nothing written, no request
SNAP=$(state_snapshot "$STATE")
BEFORE=$(pebble_request_count)
check_bad_csr() {
	local desc=$1
	shift
	acme issue --webroot "$WWW" "$@"
	assert_rc 2 "$desc"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "$desc: one line on stderr"
	assert_eq "$SNAP" "$(state_snapshot "$STATE")" "$desc: nothing written"
}
check_bad_csr "CSR names differ (one replaced)" --csr "$TEST_TMP/ec.csr" csr.example other.example
assert_contains "$ERR" "other.example" "the error names the differing name"
check_bad_csr "CSR names differ (one missing)" --csr "$TEST_TMP/ec.csr" csr.example
check_bad_csr "CSR names differ (one extra)" --csr "$TEST_TMP/ec.csr" csr.example www.csr.example x.csr.example
check_bad_csr "unreadable CSR" --csr "$TEST_TMP/no-such.csr" csr.example
assert_contains "$ERR" "no-such.csr" "the error names the CSR file"
printf 'not a CSR\n' >"$TEST_TMP/garbage.csr"
check_bad_csr "malformed CSR" --csr "$TEST_TMP/garbage.csr" csr.example
assert_contains "$ERR" "garbage.csr" "the error names the malformed CSR"
assert_eq "$BEFORE" "$(pebble_request_count)" "bad CSRs are refused before any request"

test_done
