#!/bin/bash
# dns01-propagation.sh - --dns-wait as an upper bound: after the dns hook
# adds a record, acmectl answers the challenge once every authoritative
# nameserver of the zone serves it, and not before. Two real Knot DNS
# servers are authoritative for prop.test (on port 53 of two loopback
# addresses, as NS records allow no other port: needs root); the hook
# gives the second one the record 3 s late, and Pebble's VA asks that one.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"
. "$(dirname "$0")/../lib/knot.sh"

require_root
LATE=3
NET="127.53.$((RANDOM % 250 + 1))"
NS1="$NET.1"
NS2="$NET.2"

ZONE="@ SOA ns1 hostmaster 1 60 60 3600 1
@ NS ns1
@ NS ns2
ns1 A $NS1
ns2 A $NS2
_acme-challenge.alias CNAME delegated"
knot_start 1 "$NS1" prop.test "$ZONE"
knot_start 2 "$NS2" prop.test "$ZONE"

# The hook sets the record at once on the first server and $LATE s later
# on the second; _acme-challenge.alias is a CNAME, so its record goes to
# the name it points at, as with a delegated challenge zone.
cat >"$TEST_TMP/hook" <<EOF
#!/bin/sh
echo "\$*" >>"$TEST_TMP/hook.log"
name=\${2%.prop.test}
[ "\$name" = _acme-challenge.alias ] && name=delegated
# one transaction per zone at a time: a late edit may still hold it
edit() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		knotc -s "$TEST_TMP/knot\$1/sock" zone-begin prop.test. >/dev/null 2>&1 && break
		sleep 0.2
	done
	knotc -s "$TEST_TMP/knot\$1/sock" zone-\$2 prop.test. "\$name" \$3 TXT "\$4" >/dev/null
	knotc -s "$TEST_TMP/knot\$1/sock" zone-commit prop.test. >/dev/null
}
case "\$1" in
add)	edit 1 set 1 "\$3"
	if [ -n "\${HOOK_LATE:-}" ]; then
		(sleep "\$HOOK_LATE"; edit 2 set 1 "\$3") >/dev/null 2>&1 &
	else
		edit 2 set 1 "\$3"
	fi ;;
remove)	edit 1 unset "" "\$3"; edit 2 unset "" "\$3" ;;
*)	exit 64 ;;
esac
EOF
chmod 755 "$TEST_TMP/hook"

export PEBBLE_DNS_SERVER="$NS2:53" PEBBLE_AUTHZREUSE=0
pebble_start
STATE="$TEST_TMP/state"
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account registered"

# The late server gets the record after $LATE s: acmectl waits for it.
export HOOK_LATE=$LATE
t0=$(date +%s%N)
acme -v issue --dns-hook "$TEST_TMP/hook" --dns-wait 30 --dns-resolver "$NS1" www.prop.test
took=$((($(date +%s%N) - t0) / 1000000))
assert_rc 0 "issued once both nameservers served the record"
assert_cert_issued "$STATE/certs/www.prop.test" www.prop.test
assert_contains "$ERR" "dns-01: _acme-challenge.www.prop.test is in zone prop.test, served at 2 addresses" \
	"the zone and both nameservers were found through the resolver"
assert_contains "$ERR" "every authoritative nameserver serves the records, after" "it says when"
ms=$(sed -n 's/.*serves the records, after \([0-9]*\) ms.*/\1/p' <<<"$ERR")
assert_true "waited for the late server (${ms:-?} ms)" [ ${ms:-0} -ge $((LATE * 1000 - 500)) ]
assert_true "and no longer than needed (${took} ms in all)" [ $took -lt 25000 ]

# Without the wait the challenge is answered before the late server has
# the record, and Pebble's VA, which asks that server, refuses it: the
# wait above is what made the difference.
pebble_new_account
acme issue --force --dns-hook "$TEST_TMP/hook" --dns-wait 0 www.prop.test
assert_rc 1 "answered at once: the CA did not see the record yet"

# A bound shorter than the delay: one warning naming the server and the
# record, the challenge answered all the same, within the bound.
pebble_new_account
t0=$(date +%s%N)
acme issue --force --dns-hook "$TEST_TMP/hook" --dns-wait 1 --dns-resolver "$NS1" www.prop.test
took=$((($(date +%s%N) - t0) / 1000000))
assert_rc 1 "the bound ran out before the late server had the record"
assert_contains "$ERR" "warning: after 1 s, the nameserver at $NS2:53 does not serve _acme-challenge.www.prop.test TXT" \
	"the warning names the late server and the record"
assert_contains "$ERR" "answering the challenges anyway" "and what acmectl did then"
assert_true "bounded (${took} ms)" [ $took -lt 15000 ]

# A CNAME: the record is checked where it really lives.
pebble_new_account
acme -v issue --dns-hook "$TEST_TMP/hook" --dns-wait 30 --dns-resolver "$NS1" alias.prop.test
assert_rc 0 "issued through the CNAME"
assert_contains "$ERR" "_acme-challenge.alias.prop.test (CNAME to delegated.prop.test) is in zone prop.test" \
	"the CNAME was followed"
assert_contains "$ERR" "every authoritative nameserver serves the records" "seen at the target"

# No resolver answering: the nameservers cannot be found, so the whole
# bound is waited, as a fixed wait would, and the CA decides.
unset HOOK_LATE
pebble_new_account
t0=$(date +%s%N)
acme issue --force --dns-hook "$TEST_TMP/hook" --dns-wait 2 --dns-resolver "$NET.9" www.prop.test
took=$((($(date +%s%N) - t0) / 1000000))
assert_rc 0 "issued after the whole bound"
assert_contains "$ERR" "warning: cannot tell whether the dns-01 records are served yet: $NET.9:53 refused the UDP query" \
	"the warning says why the servers could not be asked"
assert_true "the whole bound was waited (${took} ms)" [ $took -ge 2000 ]

acme issue --dns-hook "$TEST_TMP/hook" --dns-resolver 'ns1.prop.test' www.prop.test
assert_rc 2 "a resolver given by name is refused"
assert_contains "$ERR" "--dns-resolver: not a DNS server address: \"ns1.prop.test\"" "and said so"

test_done
