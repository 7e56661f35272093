#!/bin/bash
# dns-hook-nsupdate.sh - contrib/dns-hooks/nsupdate against a real Knot
# taking TSIG-signed RFC 2136 updates, which is also the DNS server Pebble's
# VA asks: a name and its wildcard (two TXT values at one name) issued with
# the settings in the environment, renewed with them in the config file
# only; the records are gone afterwards. A wrong TSIG key: the hook says
# why in one line, acmectl fails (exit 2), nothing is kept, nothing is in
# the zone. Hostile arguments and settings never reach nsupdate; a config
# file another user could have written is refused, by the hook run alone
# and inside a renew, which fails and keeps the certificate.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"
. "$(dirname "$0")/../lib/knot.sh"
command -v nsupdate >/dev/null 2>&1 || fail "nsupdate (bind9-dnsutils) is not installed"
command -v dig >/dev/null 2>&1 || fail "dig (bind9-dnsutils) is not installed"

ZONE=nsu.test
SECRET=$(openssl rand -base64 32)
pebble_free_port KNOT_PORT
KNOT_UPDATE_KEY="acme-key:$SECRET" knot_start 1 127.0.0.1 "$ZONE" \
	"@ SOA ns hostmaster 1 60 60 600 1
@ NS ns
ns A 127.0.0.1"
PEBBLE_DNS_SERVER="127.0.0.1:$KNOT_PORT" pebble_start
STATE="$TEST_TMP/state"

# the hook as installed: a copy of root's, mode 0755 (acmectl refuses
# hooks others could change, and a checkout's modes are the CI's)
mkdir -m 0755 "$TEST_TMP/hooks"
HOOK="$TEST_TMP/hooks/nsupdate"
install -m 0755 "$(dirname "$0")/../../contrib/dns-hooks/nsupdate" "$HOOK"
KEYFILE="$TEST_TMP/acme.key"
printf 'key "acme-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" >"$KEYFILE"
BADKEY="$TEST_TMP/bad.key"
printf 'key "acme-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
	"$(openssl rand -base64 32)" >"$BADKEY"
chmod 600 "$KEYFILE" "$BADKEY"
# no config file of the machine's may leak in
export ACMECTL_NSUPDATE_CONF="$TEST_TMP/none.conf"

txt() { # NAME: the TXT values Knot serves at NAME
	dig +short +time=2 +tries=2 @127.0.0.1 -p "$KNOT_PORT" "$1" TXT
}

ACMECTL_NSUPDATE_SERVER=127.0.0.1 ACMECTL_NSUPDATE_PORT=$KNOT_PORT \
	ACMECTL_NSUPDATE_KEY=$KEYFILE ACMECTL_NSUPDATE_ZONE=$ZONE \
	acme -v issue --dns-hook "$HOOK" --email admin@acmectl.example --agree-tos \
	"$ZONE" "*.$ZONE"
assert_rc 0 "issue $ZONE and *.$ZONE through nsupdate, settings in the environment"
assert_cert_issued "$STATE/certs/$ZONE" "$ZONE" "*.$ZONE"
assert_contains "$ERR" "_acme-challenge.$ZONE TXT" "the hook added the records"
assert_eq "" "$(txt "_acme-challenge.$ZONE")" "both TXT values removed afterwards"

# the config file alone, as a cron job or the timer sees it
CONF="$TEST_TMP/nsupdate.conf"
printf '# acmectl nsupdate hook\nserver = 127.0.0.1\nport=%s\nkey=%s\nzone=%s\nttl=30\n' \
	"$KNOT_PORT" "$KEYFILE" "$ZONE" >"$CONF"
chmod 600 "$CONF"
old=$(sha_of "$STATE/certs/$ZONE/cert.pem")
pebble_new_account
ACMECTL_NSUPDATE_CONF=$CONF acme renew --force "$ZONE"
assert_rc 0 "renew replays the nsupdate hook with its config file"
assert_ne "$old" "$(sha_of "$STATE/certs/$ZONE/cert.pem")" "a new certificate"
assert_eq "" "$(txt "_acme-challenge.$ZONE")" "the records removed after renew"

# a wrong TSIG key: refused by Knot, one line from the hook, exit 2, nothing
# kept; the failed add's remove runs all the same (it may have added the
# record) and is refused too: a line from the hook and a warning
ACMECTL_NSUPDATE_SERVER=127.0.0.1 ACMECTL_NSUPDATE_PORT=$KNOT_PORT \
	ACMECTL_NSUPDATE_KEY=$BADKEY ACMECTL_NSUPDATE_ZONE=$ZONE \
	acme issue --dns-hook "$HOOK" "bad.$ZONE"
assert_rc 2 "a wrong TSIG key fails the issuance"
assert_eq 4 "$(printf '%s\n' "$ERR" | grep -c .)" "four lines: the hook's and acmectl's, for add and remove"
assert_contains "$ERR" "nsupdate: cannot add _acme-challenge.bad.$ZONE TXT at 127.0.0.1 port $KNOT_PORT: " \
	"the hook says what it could not do"
assert_contains "$(printf '%s\n' "$ERR" | head -n 1)" "NOTAUTH" "and what the server answered"
assert_contains "$ERR" "acmectl: warning: dns hook $HOOK remove _acme-challenge.bad.$ZONE failed with exit status 1" \
	"the refused remove is a warning"
assert_contains "$ERR" "acmectl: dns hook $HOOK add _acme-challenge.bad.$ZONE failed with exit status 1" \
	"acmectl names the hook and its exit status"
assert_no_file "$STATE/certs/bad.$ZONE" "no certificate"
assert_eq "" "$(txt "_acme-challenge.bad.$ZONE")" "nothing in the zone"

# hostile arguments and settings: refused before nsupdate runs
hook() { # EXPECTED-STATUS PATTERN DESC ARGS...
	local want=$1 pattern=$2 desc=$3 rc=0 out
	shift 3
	out=$(ACMECTL_NSUPDATE_SERVER=127.0.0.1 ACMECTL_NSUPDATE_PORT=$KNOT_PORT \
		ACMECTL_NSUPDATE_KEY=$KEYFILE "$@" 2>&1) || rc=$?
	assert_eq "$want" "$rc" "$desc: exit $want"
	assert_contains "$out" "$pattern" "$desc: says why"
}
hook 64 "not a record name" "a record name carrying an nsupdate command" \
	"$HOOK" add "$(printf '_acme-challenge.x.%s\nupdate add evil.%s. 60 A 10.0.0.1' "$ZONE" "$ZONE")" abc
assert_eq "" "$(dig +short @127.0.0.1 -p "$KNOT_PORT" "evil.$ZONE" A)" "no injected record"
hook 64 "not a dns-01 value" "a value with a quote" "$HOOK" add "_acme-challenge.x.$ZONE" 'a" ; b'
hook 64 "usage" "two arguments" "$HOOK" add "_acme-challenge.x.$ZONE"
hook 64 "unknown action" "another action" "$HOOK" replace "_acme-challenge.x.$ZONE" abc
hook 78 "no TSIG key" "no key" env ACMECTL_NSUPDATE_KEY= "$HOOK" add "_acme-challenge.x.$ZONE" abc
hook 78 "cannot read the TSIG key file" "a missing key file" \
	env ACMECTL_NSUPDATE_KEY="$TEST_TMP/nokey" "$HOOK" add "_acme-challenge.x.$ZONE" abc
chmod 620 "$CONF"
hook 78 "mode 620 lets others write it" "a group-writable config file" \
	env ACMECTL_NSUPDATE_CONF="$CONF" "$HOOK" add "_acme-challenge.x.$ZONE" abc
chmod 602 "$CONF"
hook 78 "mode 602 lets others write it" "a config file anyone can write" \
	env ACMECTL_NSUPDATE_CONF="$CONF" "$HOOK" add "_acme-challenge.x.$ZONE" abc
chmod 600 "$CONF"
if [ "$(id -u)" = 0 ]; then
	# only root can hand a file to another user
	chown nobody "$CONF"
	hook 78 "refusing $CONF: it belongs to uid $(id -u nobody)" \
		"a config file of another user's, mode 600" \
		env ACMECTL_NSUPDATE_CONF="$CONF" "$HOOK" add "_acme-challenge.x.$ZONE" abc
	chown root "$CONF"
fi

# the same refusal where it matters: a renew run by cron, whose settings are
# the file alone, fails as any failing dns hook does (exit 1), says why in
# the hook's line, and leaves the certificate and the zone as they were
chmod 664 "$CONF"
pebble_new_account
export SNAPSHOT_BUT_FAILURE_RECORD=1
CERTS=$(state_snapshot "$STATE/certs")
ARCHIVE=$(state_snapshot "$STATE/archive")
ACMECTL_NSUPDATE_CONF=$CONF acme renew --force "$ZONE"
assert_rc 1 "renew with a group-writable nsupdate.conf fails"
assert_contains "$ERR" "nsupdate: refusing $CONF: mode 664 lets others write it" \
	"renew: the hook's line says why"
assert_contains "$ERR" "$ZONE: dns hook $HOOK add _acme-challenge.$ZONE failed with exit status 78" \
	"renew: acmectl names the certificate, the hook and its exit status"
assert_state_unchanged "$CERTS" "$STATE/certs" "renew: the live certificate is untouched"
assert_state_unchanged "$ARCHIVE" "$STATE/archive" \
	"renew: no new generation, nothing changed but the failure record"
unset SNAPSHOT_BUT_FAILURE_RECORD
assert_eq "" "$(txt "_acme-challenge.$ZONE")" "renew: nothing in the zone"
chmod 600 "$CONF"
printf 'exec=rm -rf /\n' >"$TEST_TMP/bad.conf"
hook 78 "unknown key \"exec\"" "an unknown key in the config file" \
	env ACMECTL_NSUPDATE_CONF="$TEST_TMP/bad.conf" "$HOOK" add "_acme-challenge.x.$ZONE" abc
hook 78 "bad port" "a port that is no number" \
	env ACMECTL_NSUPDATE_PORT='53; rm' "$HOOK" add "_acme-challenge.x.$ZONE" abc
assert_eq "" "$(txt "_acme-challenge.x.$ZONE")" "none of them wrote anything"

test_done
