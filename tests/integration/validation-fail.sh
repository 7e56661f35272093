#!/bin/bash
# validation-fail.sh - challenges that cannot validate exit 1 and name the
# validator's error for that name; a failed re-issue leaves the previous
# certificate byte-identical; challenge files are removed on failure too.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

# no authorization reuse: every order must validate again (and a new
# account where that matters, see pebble_new_account)
PEBBLE_AUTHZREUSE=0 pebble_start_webroot

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos keep.example
assert_rc 0 "issue keep.example"
assert_cert_issued "$STATE/certs/keep.example" keep.example
CERT=$(sha_of "$STATE/certs/keep.example/cert.pem")
KEY=$(sha_of "$STATE/certs/keep.example/privkey.pem")
LINK=$(readlink "$STATE/certs/keep.example")

pebble_new_account
# the name now resolves to 127.0.0.2, where nothing listens
challtest_add_a keep.example 127.0.0.2
acme issue --force --webroot "$WWW" keep.example
assert_rc 1 "re-issue whose challenge cannot connect"
assert_contains "$ERR" "keep.example" "the error names the identifier"
assert_icontains "$ERR" "connection refused" "the error carries the validator's reason"
assert_contains "$ERR" "connection:" "the error carries the problem type (connection)"
assert_eq "$CERT" "$(sha_of "$STATE/certs/keep.example/cert.pem")" "cert.pem byte-identical after the failure"
assert_eq "$KEY" "$(sha_of "$STATE/certs/keep.example/privkey.pem")" "privkey.pem byte-identical after the failure"
assert_eq "$LINK" "$(readlink "$STATE/certs/keep.example")" "certs/keep.example still points to the same generation"
assert_eq "" "$(challenge_files "$WWW")" "challenge files removed after the failure"

# the same with the standalone responder
webroot_stop
acme issue --force --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" keep.example
assert_rc 1 "standalone re-issue whose challenge cannot connect"
assert_icontains "$ERR" "connection refused" "standalone: the validator's reason"
assert_eq "$CERT" "$(sha_of "$STATE/certs/keep.example/cert.pem")" "standalone: cert.pem untouched"
assert_false "standalone port released after the failure" port_in_use "$PEBBLE_HTTP_PORT"
challtest_clear_a keep.example

# webroot not served at all
acme issue --webroot "$WWW" unserved.example
assert_rc 1 "webroot that nobody serves"
assert_contains "$ERR" "unserved.example" "names the identifier (unserved)"
assert_icontains "$ERR" "connection refused" "validator's reason (unserved)"
assert_no_file "$STATE/certs/unserved.example" "no certificate directory after the failure"
assert_eq "" "$(challenge_files "$WWW")" "challenge files removed (unserved)"

# another directory is served: the token is a 404
webroot_start "$TEST_TMP/elsewhere" "$PEBBLE_HTTP_PORT"
acme issue --webroot "$WWW" notfound.example
assert_rc 1 "webroot that is not the served directory"
assert_contains "$ERR" "notfound.example" "names the identifier (404)"
assert_contains "$ERR" "404" "validator's reason (404)"
assert_eq "" "$(challenge_files "$WWW")" "challenge files removed (404)"
webroot_stop

# one bad name among good ones: the error names the bad one
webroot_start "$WWW" "$PEBBLE_HTTP_PORT"
challtest_add_a bad.example 127.0.0.2
acme issue --webroot "$WWW" good.example bad.example
assert_rc 1 "one name of two cannot validate"
assert_contains "$ERR" "bad.example" "the error names the failing identifier"
assert_no_file "$STATE/certs/good.example" "no certificate for a partly failed order"
acme issue --webroot "$WWW" good.example
assert_rc 0 "the good name alone still issues"
assert_cert_issued "$STATE/certs/good.example" good.example

test_done
