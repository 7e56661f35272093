#!/bin/bash
# key-types.sh - certificate keys ec256, ec384, rsa2048 (checked with
# openssl) and accounts signing with ES384 and RS256 keys.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register (ec256)"
for kt in ec256 ec384 rsa2048; do
	acme issue --webroot "$WWW" --key-type "$kt" "$kt.example"
	assert_rc 0 "issue --key-type $kt"
	assert_eq "$kt" "$(key_type_of "$STATE/certs/$kt.example/privkey.pem")" "privkey.pem is $kt"
	assert_eq "$kt" "$(key_type_of "$STATE/certs/$kt.example/cert.pem")" "cert.pem certifies a $kt key"
	assert_cert_issued "$STATE/certs/$kt.example" "$kt.example"
	assert_eq "$kt" "$(json_field "$STATE/certs/$kt.example/issuance.json" key_type)" \
		"issuance.json records key type $kt"
done

# account keys of the other JWS algorithms (ES384, RS256)
for kt in ec384 rsa2048; do
	STATE="$TEST_TMP/state-$kt"
	acme account register --email "$kt@acmectl.example" --agree-tos --key-type "$kt"
	assert_rc 0 "account register --key-type $kt"
	assert_eq "$kt" "$(key_type_of "$(pebble_account_dir "$STATE")/key.pem")" "account key is $kt"
	assert_file_mode "$(pebble_account_dir "$STATE")/key.pem" 600
	acme issue --webroot "$WWW" "acct-$kt.example"
	assert_rc 0 "issue with a $kt account key"
	assert_cert_issued "$STATE/certs/acct-$kt.example" "acct-$kt.example"
done

test_done
