#!/bin/bash
# issue-standalone.sh - issue with the built-in http-01 responder
# (--standalone ADDR:PORT and PORT) for 1 and 3 names; the port is released.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start
STATE="$TEST_TMP/state"

acme -v issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" --email admin@acmectl.example --agree-tos \
	solo.example
assert_rc 0 "issue --standalone 127.0.0.1:PORT solo.example"
assert_cert_issued "$STATE/certs/solo.example" solo.example
assert_contains "$ERR" "connections: 1," "one connection for the whole run"
assert_false "standalone port released after the run" port_in_use "$PEBBLE_HTTP_PORT"

acme issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" one.example two.example three.example
assert_rc 0 "issue --standalone with 3 names"
assert_cert_issued "$STATE/certs/one.example" one.example two.example three.example
assert_false "standalone port released after 3 names" port_in_use "$PEBBLE_HTTP_PORT"

acme issue --standalone "$PEBBLE_HTTP_PORT" --key-type ec384 portonly.example
assert_rc 0 "issue --standalone PORT (no address)"
assert_cert_issued "$STATE/certs/portonly.example" portonly.example
assert_eq ec384 "$(key_type_of "$STATE/certs/portonly.example/privkey.pem")" "standalone with --key-type ec384"
assert_eq "$PEBBLE_HTTP_PORT" \
	"$(json_field "$STATE/certs/portonly.example/issuance.json" challenge.standalone)" \
	"issuance.json records the standalone address"

# the port is busy: a clear failure, no certificate
webroot_start "$TEST_TMP/busy" "$PEBBLE_HTTP_PORT"
acme issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" busy.example
assert_ne 0 "$RC" "standalone on a busy port fails (exit $RC)"
assert_icontains "$ERR" "$PEBBLE_HTTP_PORT" "the error names the port"
assert_no_file "$STATE/certs/busy.example" "no certificate when the port is busy"
webroot_stop

test_done
