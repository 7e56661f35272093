#!/bin/bash
# issue-tls-alpn.sh - issue with the built-in tls-alpn-01 responder
# (--tls-alpn ADDR:PORT) validated by Pebble's VA on its tlsPort, for one
# and two names and an IP address; renew replays the solver from the
# record; the port is released; a busy port or a second solver fails with
# one line and no certificate.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start
STATE="$TEST_TMP/state"
ADDR="127.0.0.1:$PEBBLE_TLS_PORT"

acme -v issue --tls-alpn "$ADDR" --email admin@acmectl.example --agree-tos alpn.example
assert_rc 0 "issue --tls-alpn 127.0.0.1:PORT alpn.example"
assert_cert_issued "$STATE/certs/alpn.example" alpn.example
assert_contains "$ERR" "tls-alpn-01 responder listening on $ADDR" "the responder says where it listens"
assert_eq tls-alpn-01 "$(json_field "$STATE/certs/alpn.example/issuance.json" challenge.type)" \
	"issuance.json records the tls-alpn-01 challenge"
assert_eq "$ADDR" "$(json_field "$STATE/certs/alpn.example/issuance.json" challenge.tls_alpn)" \
	"issuance.json records the responder's address"
assert_false "tls-alpn port released after the run" port_in_use "$PEBBLE_TLS_PORT"

# the VA really asks the responder: one on another port is never reached
pebble_free_port other
acme issue --tls-alpn "127.0.0.1:$other" elsewhere.example
assert_rc 1 "a responder on a port the VA does not use: validation fails"
assert_contains "$ERR" "validation of elsewhere.example failed" "the error names the identifier"
assert_no_file "$STATE/certs/elsewhere.example" "no certificate after a failed validation"

acme issue --tls-alpn "$ADDR" one.example two.example
assert_rc 0 "issue --tls-alpn with 2 names (one responder, two certificates)"
assert_cert_issued "$STATE/certs/one.example" one.example two.example

acme issue --tls-alpn "$ADDR" 127.0.0.1
assert_rc 0 "issue --tls-alpn for an IP address (SNI 1.0.0.127.in-addr.arpa, RFC 8738)"
assert_cert_issued "$STATE/certs/127.0.0.1" 127.0.0.1

# renew takes the solver from the record: no flag, a new authorization
pebble_new_account
old=$(sha_of "$STATE/certs/alpn.example/cert.pem")
acme -v renew --force alpn.example
assert_rc 0 "renew --force replays --tls-alpn from the record"
assert_ne "$old" "$(sha_of "$STATE/certs/alpn.example/cert.pem")" "renew wrote a new certificate"
assert_contains "$ERR" "tls-alpn-01 responder listening on $ADDR" "renew started the responder"
assert_false "tls-alpn port released after renew" port_in_use "$PEBBLE_TLS_PORT"

# the port is busy: one clear line, nothing kept
webroot_start "$TEST_TMP/busy" "$PEBBLE_TLS_PORT"
acme issue --tls-alpn "$ADDR" busy.example
assert_rc 3 "tls-alpn on a busy port fails as a network error"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line"
assert_contains "$ERR" "cannot listen on $ADDR" "the error names the address"
assert_no_file "$STATE/certs/busy.example" "no certificate when the port is busy"
webroot_stop

acme issue --tls-alpn "$ADDR" --webroot "$TEST_TMP" two-solvers.example
assert_rc 2 "--tls-alpn with --webroot is a usage error"
assert_contains "$ERR" "--tls-alpn cannot be used with --webroot, --standalone or --dns-hook" \
	"the error names the clash"
acme issue --tls-alpn alpn.example alpn.example
assert_rc 2 "--tls-alpn NAME is a usage error"
assert_contains "$ERR" "the names are arguments (acmectl issue --tls-alpn 443 example.org)" \
	"the error shows the right use"
acme issue --tls-alpn "$ADDR" '*.wild.example'
assert_rc 2 "a wildcard cannot be answered with tls-alpn-01"

test_done
