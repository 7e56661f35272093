#!/bin/bash
# dns01-chains.sh - dns-01 through a --dns-hook (a wildcard and a plain name,
# records published in pebble-challtestsrv, the DNS server Pebble asks), a
# failing hook, and --preferred-chain among Pebble's alternate chains
# (PEBBLE_ALTERNATE_ROOTS=2).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

export PEBBLE_ALTERNATE_ROOTS=2
# every order needs fresh authorizations, so every run calls the hook
export PEBBLE_AUTHZREUSE=0
pebble_start
STATE="$TEST_TMP/state"
HOOK_LOG="$TEST_TMP/hook.log"

# The hook records its argv and publishes/removes the TXT record.
challtest_dns_hook "$TEST_TMP/hook" "echo \"\$*\" >>'$HOOK_LOG'"

acme issue --dns-hook "$TEST_TMP/hook" --email admin@acmectl.example --agree-tos \
	'*.wild.example' wild.example
assert_rc 0 "issue a wildcard with --dns-hook"
assert_cert_issued "$STATE/certs/wild.example" '*.wild.example' wild.example
assert_eq 2 "$(grep -c '^add _acme-challenge\.wild\.example [A-Za-z0-9_-]\{43\}$' "$HOOK_LOG")" \
	"hook added two TXT values for _acme-challenge.wild.example (no trailing dot)"
assert_eq "$(grep '^add ' "$HOOK_LOG" | cut -d' ' -f2- | sort)" \
	"$(grep '^remove ' "$HOOK_LOG" | cut -d' ' -f2- | sort)" \
	"hook removed exactly what it added"
assert_contains "$(cat "$STATE/certs/wild.example/issuance.json")" '"type": "dns-01"' \
	"issuance record keeps the challenge type"

acme issue --webroot "$TEST_TMP/nowhere" '*.wild.example'
assert_rc 2 "a wildcard without --dns-hook is a usage error"
assert_contains "$ERR" "needs the dns-01 challenge" "error says wildcards need dns-01"

printf '#!/bin/sh\nexit 3\n' >"$TEST_TMP/badhook"
chmod 755 "$TEST_TMP/badhook"
before=$(sha_of "$STATE/certs/wild.example/cert.pem")
pebble_new_account
acme issue --force --dns-hook "$TEST_TMP/badhook" '*.wild.example' wild.example
assert_rc 2 "a failing dns hook"
assert_contains "$ERR" "failed with exit status 3" "error names the hook's exit status"
assert_eq "$before" "$(sha_of "$STATE/certs/wild.example/cert.pem")" \
	"the previous certificate is untouched after a failed hook"

# Preferred chain: the CN of alternate root 1 picks the alternate chain.
alt_cn=$(pebble_curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/1" | openssl x509 -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')
def_cn=$(pebble_curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/0" | openssl x509 -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')
assert_ne "" "$alt_cn" "Pebble serves an alternate root"
assert_ne "$def_cn" "$alt_cn" "the alternate root differs from the default"
top_issuer() {
	openssl x509 -in "$1" -noout -issuer -nameopt multiline | sed -n 's/^ *commonName *= *//p'
}

acme issue --dns-hook "$TEST_TMP/hook" --preferred-chain "$alt_cn" --name alt chain.example
assert_rc 0 "issue with --preferred-chain naming the alternate root"
assert_eq "$alt_cn" "$(top_issuer "$STATE/certs/alt/chain.pem")" "chain.pem leads to the alternate root"
assert_contains "$(cat "$STATE/certs/alt/issuance.json")" "\"preferred_chain\": \"$alt_cn\"" \
	"issuance record keeps the preferred chain"

acme issue --dns-hook "$TEST_TMP/hook" --preferred-chain "$def_cn" --name def chain.example
assert_rc 0 "issue with --preferred-chain naming the default root"
assert_eq "$def_cn" "$(top_issuer "$STATE/certs/def/chain.pem")" "chain.pem leads to the default root"

acme issue --dns-hook "$TEST_TMP/hook" --preferred-chain "No Such CA" --name none chain.example
assert_rc 0 "issue with a preferred chain nobody offers"
assert_eq "$def_cn" "$(top_issuer "$STATE/certs/none/chain.pem")" "the default chain is kept"
assert_contains "$ERR" "keeping the default chain" "says no chain matched"

test_done
