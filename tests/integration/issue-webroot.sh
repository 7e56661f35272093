#!/bin/bash
# issue-webroot.sh - issue with --webroot for 1 and 3 names: files, modes,
# chain, challenge files cleaned up, one connection per run, nothing due on
# a second run, --force makes a new generation, --name.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot

# one name; the account is registered on the way (--email --agree-tos)
BEFORE=$(pebble_request_count)
acme -v issue --webroot "$WWW" --email admin@acmectl.example --agree-tos one.example
assert_rc 0 "issue --webroot one.example (registers the account)"
AFTER=$(pebble_request_count)
assert_file_mode "$(pebble_account_dir "$STATE")/key.pem" 600
assert_cert_issued "$STATE/certs/one.example" one.example
assert_eq ec256 "$(key_type_of "$STATE/certs/one.example/privkey.pem")" "default certificate key is ec256"
assert_true "certs/one.example is a symlink" test -L "$STATE/certs/one.example"
assert_contains "$(readlink "$STATE/certs/one.example")" "archive/one.example/" \
	"certs/one.example points into archive/one.example"
assert_file_exists "$STATE/certs/one.example/issuance.json"
assert_eq one.example "$(json_field "$STATE/certs/one.example/issuance.json" names)" \
	"issuance.json records the names"
assert_eq "" "$(challenge_files "$WWW")" "webroot challenge files removed"
assert_contains "$(cat "$TEST_TMP/webroot-$PEBBLE_HTTP_PORT.log")" \
	"GET /.well-known/acme-challenge/" "Pebble fetched the token from the webroot"
assert_contains "$ERR" "connections: 1," "one connection for the whole run"
assert_contains "$ERR" "requests: $((AFTER - BEFORE))" \
	"acmectl's request count equals Pebble's ($((AFTER - BEFORE)))"
assert_true "at most one HEAD newNonce" test "$(pebble_request_count 'HEAD /nonce-plz')" -le 1

# three names, existing account
BEFORE=$(pebble_request_count)
acme -v issue --webroot "$WWW" alpha.example beta.example gamma.example
assert_rc 0 "issue --webroot with 3 names"
AFTER=$(pebble_request_count)
assert_cert_issued "$STATE/certs/alpha.example" alpha.example beta.example gamma.example
assert_no_file "$STATE/certs/beta.example" "no directory for the second name"
assert_eq "" "$(challenge_files "$WWW")" "webroot challenge files removed (3 names)"
assert_contains "$ERR" "connections: 1," "one connection for 3 names"
assert_contains "$ERR" "requests: $((AFTER - BEFORE))" "request count equals Pebble's ($((AFTER - BEFORE)))"
# badNonce answers (400, Pebble rejects 5 % of nonces) are retries, not
# waste; how often the order is polled depends on how fast Pebble validates
# (it fetches every token three times), so polls are counted apart; so are
# nonce HEADs beyond the first: acmectl fetches them to send requests
# together when the round trip it measured makes that pay, and on a loaded
# machine even a loopback exchange with Pebble can take 40 ms. The rest is
# the protocol's minimum, 2n+5 (directory, nonce, newOrder, n
# authorizations, n challenges, finalize, certificate)
RETRIES=$(printf '%s\n' "$ERR" | grep -cE ' -> 400 in ' || true)
POLLS=$(printf '%s\n' "$ERR" | grep -cE 'POST https://[^ ]*/my-order/[^ ]* -> 200 in ' || true)
NONCES=$(printf '%s\n' "$ERR" | grep -cE 'HEAD https://[^ ]*/nonce-plz -> 200 in ' || true)
EXTRA_NONCES=$((NONCES > 1 ? NONCES - 1 : 0))
assert_true "requests for 3 names, less $RETRIES badNonce retries, $POLLS order polls and $EXTRA_NONCES nonces fetched ahead, <= 2n+5 ($((AFTER - BEFORE)))" \
	test $((AFTER - BEFORE - RETRIES - POLLS - EXTRA_NONCES)) -le 11
assert_true "the order was polled ($POLLS), not each authorization" test "$POLLS" -ge 1

# second run: nothing due, no network, files untouched
SNAP=$(state_snapshot "$STATE")
BEFORE=$(pebble_request_count)
acme issue --webroot "$WWW" one.example
assert_rc 0 "issue again when the certificate is current"
assert_icontains "$OUT" "nothing to do" "says there is nothing to do"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request when nothing is due"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "state untouched when nothing is due"

# --force: a new generation, the old one kept, the link swapped
OLD_TARGET=$(readlink "$STATE/certs/one.example")
OLD_CERT=$(sha_of "$STATE/certs/one.example/cert.pem")
acme issue --force --webroot "$WWW" one.example
assert_rc 0 "issue --force"
assert_ne "$OLD_TARGET" "$(readlink "$STATE/certs/one.example")" "--force makes a new generation"
assert_ne "$OLD_CERT" "$(sha_of "$STATE/certs/one.example/cert.pem")" "--force gives a new certificate"
assert_eq "$OLD_CERT" "$(sha_of "$STATE/certs/$OLD_TARGET/cert.pem")" "previous generation kept"
assert_cert_issued "$STATE/certs/one.example" one.example

# --name chooses the directory
acme issue --webroot "$WWW" --name site one.example www.one.example
assert_rc 0 "issue --name site"
assert_cert_issued "$STATE/certs/site" one.example www.one.example

# global options after the command
run_acmectl issue --webroot "$WWW" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
	--state-dir "$STATE" late.example
assert_rc 0 "global options after the command"
assert_cert_issued "$STATE/certs/late.example" late.example

test_done
