#!/bin/bash
# account.sh - account register/show against Pebble: state files and modes,
# --json fields, finding the URL with onlyReturnExisting, imported keys in
# PKCS#8, SEC1 and PKCS#1 PEM, another directory of the same host refused.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start
STATE="$TEST_TMP/state"
ACCT=$(pebble_account_dir "$STATE")

# register
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register"
TOS=$(pebble_curl -sf --max-time 10 --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["termsOfService"])')
assert_ne "" "$TOS" "Pebble's directory names terms of service"
assert_contains "$OUT" "terms of service (agreed with --agree-tos): $TOS" \
	"account register shows the terms of service agreed to"
assert_file_mode "$ACCT/key.pem" 600
assert_eq ec256 "$(key_type_of "$ACCT/key.pem")" "default account key is ec256"
assert_file_exists "$ACCT/account.json"
URL=$(json_field "$ACCT/account.json" url)
assert_contains "$URL" "${PEBBLE_DIR_URL%/dir}/my-account/" "account.json url is Pebble's account URL"
assert_eq "$PEBBLE_DIR_URL" "$(json_field "$ACCT/account.json" directory)" "account.json directory"
assert_eq "mailto:admin@acmectl.example" "$(json_field "$ACCT/account.json" contact)" "account.json contact"
assert_ne "" "$(json_field "$ACCT/account.json" created)" "account.json created is set"

# another directory of the same host (a CA's staging and production paths,
# step-ca's provisioners; here Pebble's with a query) shares the account
# directory: its commands are refused and the kept account is untouched
OTHER_DIR="$PEBBLE_DIR_URL?other"
before=$(sha256sum "$ACCT/key.pem" "$ACCT/account.json")
for args in "account register --email admin@acmectl.example --agree-tos" \
	"account show" "issue --webroot $TEST_TMP/www other.example"; do
	# shellcheck disable=SC2086
	run_acmectl --server "$OTHER_DIR" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" $args
	assert_rc 2 "${args%% --*} at another directory of the same host"
	assert_contains "$ERR" "was registered at $PEBBLE_DIR_URL, not $OTHER_DIR" \
		"${args%% --*}: the error names both directories"
done
assert_eq "$before" "$(sha256sum "$ACCT/key.pem" "$ACCT/account.json")" \
	"the kept account is untouched"

# a well-known CA that binds accounts to its own (EAB) and no --eab-kid:
# refused before anything is sent to it (tests reach no real CA)
for ca in zerossl google google-staging; do
	run_acmectl --server "$ca" --state-dir "$STATE" account register --agree-tos
	assert_rc 2 "account register --server $ca without EAB"
	assert_contains "$ERR" "requires an external account binding: --eab-kid/--eab-hmac-key" \
		"--server $ca: the error names the EAB flags"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "--server $ca: one line"
done
assert_no_file "$STATE/accounts/acme.zerossl.com" "nothing kept for zerossl"
assert_no_file "$STATE/accounts/dv.acme-v02.api.pki.goog" "nothing kept for google"

# show, text and --json
acme account show
assert_rc 0 "account show"
assert_contains "$OUT" "$URL" "account show prints the URL"
assert_contains "$OUT" "valid" "account show prints the status"
assert_contains "$OUT" "admin@acmectl.example" "account show prints the contact"

acme account show --json
assert_rc 0 "account show --json"
assert_true "account show --json prints one JSON object" is_json_object "$OUT"
assert_eq "$URL" "$(json_field "$OUT" url)" "--json url"
assert_eq "$PEBBLE_DIR_URL" "$(json_field "$OUT" server)" "--json server"
assert_eq "mailto:admin@acmectl.example" "$(json_field "$OUT" contact)" "--json contact"
assert_eq valid "$(json_field "$OUT" status)" "--json status"

acme --json account show
assert_rc 0 "--json before the command"
assert_eq "$URL" "$(json_field "$OUT" url)" "--json before the command gives the url"

# show without a stored URL: acmectl must ask newAccount onlyReturnExisting
python3 - "$ACCT/account.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.pop("url", None)
json.dump(doc, open(sys.argv[1], "w"))
PY
assert_eq "" "$(json_field "$ACCT/account.json" url)" "url removed from account.json"
KEY_SHA=$(sha_of "$ACCT/key.pem")
BEFORE=$(pebble_request_count 'POST /sign-me-up')
acme -v account show --json
assert_rc 0 "account show without a stored URL"
assert_eq "$URL" "$(json_field "$OUT" url)" "URL found again via onlyReturnExisting"
assert_eq valid "$(json_field "$OUT" status)" "status of the found account"
assert_true "newAccount asked to find it" test "$(pebble_request_count 'POST /sign-me-up')" -gt "$BEFORE"
# Pebble may reject a nonce (5 %), so count the answered request, not attempts
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -cE 'POST [^ ]*/sign-me-up -> 200')" \
	"one newAccount answered 200 (existing account)"
assert_eq "$KEY_SHA" "$(sha_of "$ACCT/key.pem")" "account key untouched"

# registering again with the same key finds the same account
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register again"
assert_eq "$KEY_SHA" "$(sha_of "$ACCT/key.pem")" "register again keeps the key"
acme account show --json
assert_eq "$URL" "$(json_field "$OUT" url)" "register again keeps the account URL"

# show with no account at all: fails, and creates no account
STATE="$TEST_TMP/empty"
acme account show
assert_ne 0 "$RC" "account show without an account fails (exit $RC)"
assert_no_file "$(pebble_account_dir "$STATE")/key.pem" "account show creates no key"

# --account-key: an existing key in each PEM format becomes the account key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TEST_TMP/pkcs8.pem" 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout -out "$TEST_TMP/sec1.pem" 2>/dev/null
openssl genrsa -traditional -out "$TEST_TMP/pkcs1.pem" 2048 2>/dev/null
assert_contains "$(head -1 "$TEST_TMP/pkcs8.pem")" "BEGIN PRIVATE KEY" "made a PKCS#8 key"
assert_contains "$(head -1 "$TEST_TMP/sec1.pem")" "BEGIN EC PRIVATE KEY" "made a SEC1 key"
assert_contains "$(head -1 "$TEST_TMP/pkcs1.pem")" "BEGIN RSA PRIVATE KEY" "made a PKCS#1 key"
for fmt in pkcs8 sec1 pkcs1; do
	STATE="$TEST_TMP/state-$fmt"
	acme account register --email "$fmt@acmectl.example" --agree-tos --account-key "$TEST_TMP/$fmt.pem"
	assert_rc 0 "account register --account-key ($fmt)"
	A=$(pebble_account_dir "$STATE")
	assert_eq "$(pubkey_of "$TEST_TMP/$fmt.pem")" "$(pubkey_of "$A/key.pem")" \
		"stored account key is the $fmt key"
	assert_file_mode "$A/key.pem" 600
	acme account show --json
	assert_rc 0 "account show ($fmt)"
	assert_eq "$(json_field "$A/account.json" url)" "$(json_field "$OUT" url)" \
		"account show ($fmt) gives the registered URL"
	assert_ne "$URL" "$(json_field "$OUT" url)" "the $fmt key has its own account"
done

test_done
