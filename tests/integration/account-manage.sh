#!/bin/bash
# account-manage.sh - account update, rollover and deactivate on Pebble:
# the new contact as the server and account.json see it; rollover to a
# generated key, to --key-type, to --account-key FILE, then issuing with the
# new key while Pebble no longer knows the old one, the 0600 backup, a key
# another account holds (refused, nothing changed), a stale and a half-done
# key.pem.new from an interrupted run; deactivate refused without a
# terminal, asked for on one, and for good with --yes (issue then fails with
# the server's unauthorized).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
ACCT=$(pebble_account_dir "$STATE")

acme account register --email first@acmectl.example --agree-tos
[ "$RC" = 0 ] || fail "account register: $ERR"
URL=$(json_field "$ACCT/account.json" url)

# account_status: the account's status as the server tells it
account_status() {
	acme account show --json
	json_field "$OUT" status
}

# --- update --email
acme account update --email Second@ACMECTL.example
assert_rc 0 "account update --email"
assert_contains "$OUT" "mailto:second@acmectl.example" "update says the new contact"
acme account show --json
assert_eq "mailto:second@acmectl.example" "$(json_field "$OUT" contact)" \
	"the server has the new contact"
assert_eq "mailto:second@acmectl.example" "$(json_field "$ACCT/account.json" contact)" \
	"account.json has the new contact"
assert_eq "$URL" "$(json_field "$ACCT/account.json" url)" "account.json keeps the URL"

acme account update --email third@acmectl.example --json
assert_rc 0 "account update --json"
assert_true "update --json prints one JSON object" is_json_object "$OUT"
assert_eq "$URL" "$(json_field "$OUT" url)" "update --json url"
assert_eq valid "$(json_field "$OUT" status)" "update --json status"
assert_eq "mailto:third@acmectl.example" "$(json_field "$OUT" contact)" "update --json contact"

BEFORE=$(pebble_request_count)
SNAP=$(state_snapshot "$STATE")
acme account update --email "not an address"
assert_rc 2 "account update with a bad address"
acme account update
assert_rc 2 "account update without --email"
assert_eq "$BEFORE" "$(pebble_request_count)" "bad input makes no request"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "bad input changes no state"

# --- rollover to a generated key
cp "$ACCT/key.pem" "$TEST_TMP/old.pem"
acme account rollover
assert_rc 0 "account rollover"
assert_contains "$OUT" "key.pem.old" "rollover says where the old key is"
assert_ne "$(pubkey_of "$TEST_TMP/old.pem")" "$(pubkey_of "$ACCT/key.pem")" "key.pem is a new key"
assert_eq ec256 "$(key_type_of "$ACCT/key.pem")" "the generated key is ec256"
assert_eq "$(sha_of "$TEST_TMP/old.pem")" "$(sha_of "$ACCT/key.pem.old")" "key.pem.old is the old key"
assert_file_mode "$ACCT/key.pem" 600
assert_file_mode "$ACCT/key.pem.old" 600
assert_no_file "$ACCT/key.pem.new"
acme account show --json
assert_eq valid "$(json_field "$OUT" status)" "the account works with the new key"
assert_eq "$URL" "$(json_field "$OUT" url)" "same account URL after the rollover"

# the new key issues; Pebble no longer knows the old one
acme issue --webroot "$WWW" after-rollover.example
assert_rc 0 "issue with the new account key"
assert_file_exists "$STATE/certs/after-rollover.example/cert.pem"
OLDSTATE="$TEST_TMP/old-key"
mkdir -p "$(pebble_account_dir "$OLDSTATE")"
cp "$TEST_TMP/old.pem" "$(pebble_account_dir "$OLDSTATE")/key.pem"
STATE="$OLDSTATE" acme account show
assert_rc 1 "account show with the old key"
assert_contains "$ERR" "accountDoesNotExist" "Pebble has no account for the old key"

# --key-type and --account-key FILE
acme account rollover --key-type ec384 --json
assert_rc 0 "account rollover --key-type ec384"
assert_true "rollover --json prints one JSON object" is_json_object "$OUT"
assert_eq "$URL" "$(json_field "$OUT" url)" "rollover --json url"
assert_eq ec384 "$(key_type_of "$ACCT/key.pem")" "the new key is ec384"
openssl genrsa -out "$TEST_TMP/mine.pem" 2048 2>/dev/null
acme account rollover --account-key "$TEST_TMP/mine.pem"
assert_rc 0 "account rollover --account-key FILE"
assert_eq "$(pubkey_of "$TEST_TMP/mine.pem")" "$(pubkey_of "$ACCT/key.pem")" "key.pem is the given key"
assert_eq ec384 "$(key_type_of "$ACCT/key.pem.old")" "key.pem.old is the key before"
assert_eq valid "$(account_status)" "the account works with the given key"
acme account rollover --account-key "$TEST_TMP/mine.pem"
assert_rc 2 "rollover to the key in use"

# a key another account holds: refused (Pebble 2.4 says 500, newer ones 409)
OTHER="$TEST_TMP/other"
STATE="$OTHER" acme account register --agree-tos
[ "$RC" = 0 ] || fail "second account: $ERR"
SNAP=$(state_snapshot "$ACCT")
acme account rollover --account-key "$(pebble_account_dir "$OTHER")/key.pem"
assert_rc 1 "rollover to another account's key"
assert_contains "$ERR" "already the key of another account" "says the key is taken"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "the error is one line"
assert_eq "$SNAP" "$(state_snapshot "$ACCT")" "the account's files are unchanged"
assert_eq valid "$(account_status)" "the account still works"

# a stale key.pem.new (the server never saw it) is cleared, then the rollover runs
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ACCT/key.pem.new" 2>/dev/null
cp "$ACCT/key.pem.new" "$TEST_TMP/stale.pem"
cp "$ACCT/key.pem" "$TEST_TMP/before-stale.pem"
acme account rollover
assert_rc 0 "rollover with a stale key.pem.new"
assert_no_file "$ACCT/key.pem.new"
assert_ne "$(pubkey_of "$TEST_TMP/stale.pem")" "$(pubkey_of "$ACCT/key.pem")" "the stale key is not used"
assert_eq "$(sha_of "$TEST_TMP/before-stale.pem")" "$(sha_of "$ACCT/key.pem.old")" "key.pem.old is the key before"
assert_eq valid "$(account_status)" "the account works after that"

# a run that died after the server switched: the next run finishes it
cp "$ACCT/key.pem" "$TEST_TMP/k1.pem"
acme account rollover
assert_rc 0 "rollover to set up the interrupted case"
cp "$ACCT/key.pem" "$TEST_TMP/k2.pem"
mv "$ACCT/key.pem" "$ACCT/key.pem.new"
cp "$TEST_TMP/k1.pem" "$ACCT/key.pem"
rm -f "$ACCT/key.pem.old"
acme account show
assert_rc 1 "the old key.pem no longer works"
acme account rollover
assert_rc 0 "rollover after the interrupted run"
assert_contains "$OUT" "finished an interrupted rollover" "says it finished the earlier rollover"
assert_eq "$(sha_of "$TEST_TMP/k2.pem")" "$(sha_of "$ACCT/key.pem")" "key.pem is the key the server holds"
assert_eq "$(sha_of "$TEST_TMP/k1.pem")" "$(sha_of "$ACCT/key.pem.old")" "key.pem.old is the key before"
assert_no_file "$ACCT/key.pem.new"
assert_eq valid "$(account_status)" "the account works again"

# --- deactivate
SNAP=$(state_snapshot "$ACCT")
BEFORE=$(pebble_request_count)
acme account deactivate
assert_rc 2 "deactivate without --yes and no terminal"
assert_contains "$ERR" "--yes" "says to use --yes"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request without a confirmation"
assert_eq "$SNAP" "$(state_snapshot "$ACCT")" "no state change without a confirmation"

# on a terminal (script(1) gives it one): a wrong answer keeps the account
if command -v script >/dev/null 2>&1; then
	resolve_acmectl
	CMD="'$ACMECTL' --server '$PEBBLE_DIR_URL' --ca-bundle '$PEBBLE_CA' --state-dir '$STATE' account deactivate"
	rc=0
	printf 'no\n' | timeout 30 script -qec "$CMD" /dev/null >"$TEST_TMP/tty.out" 2>&1 || rc=$?
	assert_eq 2 "$rc" "a wrong answer on the terminal exits 2"
	assert_contains "$(cat "$TEST_TMP/tty.out")" "Type 'deactivate' to confirm" "the terminal is asked"
	assert_contains "$(cat "$TEST_TMP/tty.out")" "not confirmed" "says it was not confirmed"
	assert_eq valid "$(account_status)" "the account stays valid"
fi

acme account deactivate --yes --json
assert_rc 0 "deactivate --yes"
assert_eq deactivated "$(json_field "$OUT" status)" "deactivate --json status"
assert_eq "$URL" "$(json_field "$OUT" url)" "deactivate --json url"
assert_eq deactivated "$(json_field "$ACCT/account.json" status)" "account.json says deactivated"
assert_eq "$URL" "$(json_field "$ACCT/account.json" url)" "account.json keeps the URL"
acme issue --webroot "$WWW" after-deactivate.example
assert_rc 1 "issue with the deactivated account"
assert_contains "$ERR" "unauthorized" "the server's unauthorized is shown"
assert_icontains "$ERR" "deactivated" "the server says the account is deactivated"
assert_no_file "$STATE/certs/after-deactivate.example"

# a confirmed deactivation on a terminal (another account)
if command -v script >/dev/null 2>&1; then
	CMD="'$ACMECTL' --server '$PEBBLE_DIR_URL' --ca-bundle '$PEBBLE_CA' --state-dir '$OTHER' account deactivate"
	rc=0
	printf 'deactivate\n' | timeout 30 script -qec "$CMD" /dev/null >"$TEST_TMP/tty.out" 2>&1 || rc=$?
	assert_eq 0 "$rc" "typing 'deactivate' on the terminal deactivates"
	assert_eq deactivated "$(json_field "$(pebble_account_dir "$OTHER")/account.json" status)" \
		"the other account.json says deactivated"
fi

test_done
