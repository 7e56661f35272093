#!/bin/bash
# profile.sh - --profile: checked against the directory's meta.profiles
# when the server lists them (served by the ari_server.py front, as Pebble
# 2.4 has no profiles), sent in newOrder and remembered for renewal; an
# unknown profile is a usage error before any order.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/ari.sh"

pebble_start_webroot
ari_start
ari_window $((30 * 86400)) $((31 * 86400)) 3600 \
	'"profiles": {"classic": "the usual", "shortlived": "six days"}'

ari_acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos \
	--profile shortlived short.example
assert_rc 0 "issue with a profile the server offers"
assert_eq 1 "$(ari_events '^PROFILE shortlived$')" "newOrder asked for the profile"
assert_eq shortlived "$(json_field "$STATE/certs/short.example/issuance.json" profile)" \
	"issuance.json remembers the profile for renewal"

ORDERS=$(ari_events '^NEWORDER ')
ari_acme issue --webroot "$WWW" --profile longlived long.example
assert_rc 2 "a profile the server does not offer"
assert_contains "$ERR" 'no profile "longlived" (it offers: classic, shortlived)' \
	"the error names the profiles on offer"
assert_eq "$ORDERS" "$(ari_events '^NEWORDER ')" "no order was placed"
assert_no_file "$STATE/certs/long.example" "nothing written"

ari_acme issue --webroot "$WWW" plain.example
assert_rc 0 "issue without a profile"
assert_eq 1 "$(ari_events '^PROFILE ')" "no profile sent when none is asked for"

test_done
