#!/bin/bash
# ip-identifier.sh - an IP address identifier (RFC 8738): 127.0.0.1 alone
# and beside a DNS name, with webroot and standalone.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos 127.0.0.1
assert_rc 0 "issue --webroot 127.0.0.1"
assert_cert_issued "$STATE/certs/127.0.0.1" 127.0.0.1
assert_eq "" "$(challenge_files "$WWW")" "challenge files removed"

acme issue --webroot "$WWW" --name mixed ip.example 127.0.0.1
assert_rc 0 "issue --webroot for a DNS name and an IP"
assert_cert_issued "$STATE/certs/mixed" ip.example 127.0.0.1
webroot_stop

acme issue --force --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" 127.0.0.1
assert_rc 0 "issue --standalone 127.0.0.1"
assert_cert_issued "$STATE/certs/127.0.0.1" 127.0.0.1

test_done
