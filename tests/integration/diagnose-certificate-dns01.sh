#!/bin/bash
# diagnose-certificate-dns01.sh - the whole flow of `diagnose --certificate`
# through DNS-01 (--dns-hook) in the netns lab: a real Knot in "server" is
# authoritative for dns.test (port 53, as NS records need) and takes the
# TSIG-signed updates of contrib/dns-hooks/nsupdate; Pebble in "server"
# asks that Knot for every name, so its VA sees what the hook published.
# acmectl runs in "client", whose resolver is the Knot: cert-manager's
# check walks the SOA to dns.test and asks its authoritative nameserver.
# Cases: a wildcard and its apex issued to a Secret (the certificate
# checked against the Secret's key, its names, mode 0600, the records gone
# afterwards); one name through --webroot and one through the hook in the
# same order; a hook that publishes nothing (cert-manager's Challenge
# reason word for word, the check repeated until --deadline, the challenge
# never answered, nothing written, the hook's remove still run); a hook
# whose add fails (the order fails, its remove still runs, once); a DNS-01
# name without --dns-hook and a hook others could replace, both refused
# before any request; the Issuer's account key in --secret (the order goes
# out on that key's account, which acmectl does not keep; a key with no
# account is not registered; a Secret without its data key or with no key
# in it never leaves the order to the stored account); the same key as
# --account-key. CNAME delegation: a second Knot serves other.test, where
# _acme-challenge.NAME.dns.test points; cert-manager's recursive
# nameservers are a dnsmasq forwarding to both, Pebble asks a named:
# with cnameStrategy Follow the hook writes in other.test and the Secret
# is issued; with None it is asked to write beside the CNAME; a CNAME loop
# stops with cert-manager's Present error before anything is published,
# and so does a chain of 70 CNAMEs, with acmectl's own limit of 64.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/knot.sh"
command -v nsupdate >/dev/null 2>&1 || fail "nsupdate (bind9-dnsutils) is not installed"
command -v dig >/dev/null 2>&1 || fail "dig (bind9-dnsutils) is not installed"
netns_lab_begin
netns_client_server
NS_IP=$(netns_free server client 12)
WEB_IP=$(netns_free server client 13)
netns_addr server client "$NS_IP"
netns_addr server client "$WEB_IP"
NS2_IP=$(netns_free server client 14)
RES_IP=$(netns_free server client 15)
VA_IP=$(netns_free server client 16)
netns_addr server client "$NS2_IP"
netns_addr server client "$RES_IP"
netns_addr server client "$VA_IP"
ZONE=dns.test
SECRET=$(openssl rand -base64 32)
# 70 CNAMEs from _acme-challenge.long, past the 64 acmectl follows
LONG_CHAIN="_acme-challenge.long CNAME long1"
for i in $(seq 1 69); do
	LONG_CHAIN+=$'\n'"long$i CNAME long$((i + 1))"
done
KNOT_UPDATE_KEY="acme-key:$SECRET" knot_start 1 "$NS_IP" "$ZONE" \
	"@ SOA ns1 hostmaster 1 60 60 600 1
@ NS ns1
ns1 A $NS_IP
web A 127.0.0.1
ns2 A $NS2_IP
_acme-challenge.deleg CNAME _acme-challenge.deleg.other.test.
_acme-challenge.plain CNAME _acme-challenge.plain.other.test.
_acme-challenge.loop CNAME _acme-challenge.loop2
_acme-challenge.loop2 CNAME _acme-challenge.loop
$LONG_CHAIN" server
KNOT_UPDATE_KEY="acme-key:$SECRET" knot_start 2 "$NS2_IP" other.test \
	"@ SOA ns2.dns.test. hostmaster.dns.test. 1 60 60 600 1
@ NS ns2.dns.test." server
# cert-manager's recursive nameservers: dnsmasq forwarding each zone's
# questions to its Knot, caching nothing (cert-manager asks CNAME, SOA and
# NS questions, which need no chasing)
netns_dnsmasq_start server "$RES_IP" --server="/$ZONE/$NS_IP" --server="/other.test/$NS2_IP" \
	--cache-size=0 --no-negcache
# Pebble's VA asks a real named recursing for both zones, which follows a
# CNAME from dns.test into other.test to its TXT as a CA's resolver does.
# It is not cert-manager's: Present's own look-up of the chain's end
# (NXDOMAIN before the add) would sit in its negative cache and hide the
# record from the VA for a while.
command -v named >/dev/null 2>&1 || fail "named (bind9) is not installed"
mkdir -p "$TEST_TMP/named"
cat >"$TEST_TMP/named/named.conf" <<CONF
options {
	directory "$TEST_TMP/named";
	pid-file "$TEST_TMP/named/named.pid";
	session-keyfile "$TEST_TMP/named/session.key";
	listen-on port 53 { $VA_IP; };
	listen-on-v6 { none; };
	recursion yes;
	allow-recursion { any; };
	dnssec-validation no;
	max-cache-ttl 1;
	max-ncache-ttl 1;
};
controls { };
zone "$ZONE" { type forward; forward only; forwarders { $NS_IP; }; };
zone "other.test" { type forward; forward only; forwarders { $NS2_IP; }; };
CONF
netns_spawn NAMED_PID "$TEST_TMP/named/named.log" server \
	named -g -n 1 -u root -c "$TEST_TMP/named/named.conf"
netns_wait_port client "$VA_IP" 53 10 || fail "named did not start: $(cat "$TEST_TMP/named/named.log")"
netns_hosts client "$SERVER_IP acme.test" "$WEB_IP web.$ZONE"
netns_resolv client "nameserver $NS_IP" "options timeout:1 attempts:1"

# Pebble in "server", its VA asking the named (netns_pebble_start's VA asks
# challtestsrv, which never sees the hook's records); web.dns.test is
# 127.0.0.1 there, where netns_webroot_start serves the http-01 tokens
P="$TEST_TMP/pebble"
mkdir -p "$P"
netns_ca "$TEST_TMP/lab" ca
netns_cert "$TEST_TMP/lab" ca pebble acme.test "$SERVER_IP"
cat >"$P/config.json" <<EOF
{"pebble": {"listenAddress": "$SERVER_IP:14000", "managementListenAddress": "127.0.0.1:15000",
 "certificate": "$TEST_TMP/lab/pebble.pem", "privateKey": "$TEST_TMP/lab/pebble.key",
 "httpPort": $NETNS_PEBBLE_VA_HTTP_PORT, "tlsPort": 5001, "ocspResponderURL": "",
 "externalAccountBindingRequired": false}}
EOF
PEBBLE_LOG="$P/pebble.log"
netns_spawn PEBBLE_PID "$PEBBLE_LOG" server env PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 \
	pebble -config "$P/config.json" -dnsserver "$VA_IP:53"
PEBBLE_DIR_URL="https://acme.test:14000/dir"
PEBBLE_CA="$TEST_TMP/lab/ca.pem"
netns_wait_port client "$SERVER_IP" 14000 10 || fail "Pebble did not start: $(cat "$PEBBLE_LOG")"
W="$TEST_TMP/www"
netns_webroot_start server "$W"
netns_spawn WEB_PID "$TEST_TMP/web.log" server \
	python3 -m http.server --bind "$WEB_IP" --directory "$W" 80
netns_wait_port client "$WEB_IP" 80 10 || fail "the ingress did not start: $(cat "$TEST_TMP/web.log")"

# the hooks as installed: root's, mode 0755 (a checkout's modes are the CI's)
mkdir -m 0755 "$TEST_TMP/hooks"
HOOK="$TEST_TMP/hooks/nsupdate"
install -m 0755 "$(dirname "$0")/../../contrib/dns-hooks/nsupdate" "$HOOK"
printf 'key "acme-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" \
	>"$TEST_TMP/acme.key"
chmod 600 "$TEST_TMP/acme.key"
export ACMECTL_NSUPDATE_CONF="$TEST_TMP/none.conf" ACMECTL_NSUPDATE_SERVER=$NS_IP \
	ACMECTL_NSUPDATE_KEY="$TEST_TMP/acme.key" ACMECTL_NSUPDATE_ZONE=$ZONE
# a hook that says yes and publishes nothing, noting what it was asked
LOST="$TEST_TMP/hooks/lost"
printf '#!/bin/sh\necho "$1 $2" >>%s/lost.calls\nexit 0\n' "$TEST_TMP" >"$LOST"
chmod 0755 "$LOST"

M="$TEST_TMP/manifests"
mkdir -m 0700 "$M"
cat >"$M/issuer.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: dns-acme
spec:
  acme:
    server: $PEBBLE_DIR_URL
    email: admin@acmectl.example
    privateKeySecretRef:
      name: dns-acme-account-key
    solvers:
    - dns01:
        rfc2136:
          nameserver: $NS_IP:53
          tsigKeyName: acme-key
          tsigAlgorithm: HMACSHA256
          tsigSecretSecretRef: {name: tsig, key: secret}
    - http01:
        ingress:
          ingressClassName: nginx
      selector:
        dnsNames: [web.$ZONE]
YAML
# certificate DNSNAMES: a Certificate for those names (a YAML flow list)
certificate() {
	printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: dns, namespace: default}
spec:\n  secretName: dns-tls\n  issuerRef: {name: dns-acme, kind: ClusterIssuer}\n  dnsNames: %s\n' \
		"$1" >"$M/cert.yaml"
}
flow() {
	netns_acmectl client --json --timeout 5 --state-dir "${STATE:-$TEST_TMP/state}" \
		--ca-bundle "$PEBBLE_CA" diagnose --certificate "$M/cert.yaml" \
		--from-issuer "${ISSUER:-$M/issuer.yaml}" "$@"
}
txt() { # NAME: the TXT values the Knot serves at NAME
	nsx client dig +short +time=2 +tries=2 @"$NS_IP" "$1" TXT
}
# secret_field FILE KEY: data.KEY of the Secret at FILE, decoded
secret_field() {
	python3 -c '
import base64, re, sys
m = re.search(r"^  " + re.escape(sys.argv[2]) + r": (\S+)$", open(sys.argv[1]).read(), re.M)
sys.stdout.write(base64.b64decode(m.group(1)).decode() if m else "")
' "$1" "$2"
}
# assert_secret FILE NAMES: mode 0600, tls.crt for tls.key, the certificate's
# names (sorted, comma-separated) NAMES
assert_secret() {
	assert_file_mode "$1" 600
	secret_field "$1" tls.crt >"$TEST_TMP/crt.pem"
	secret_field "$1" tls.key >"$TEST_TMP/key.pem"
	assert_eq "$(openssl pkey -in "$TEST_TMP/key.pem" -pubout 2>&1)" \
		"$(openssl x509 -in "$TEST_TMP/crt.pem" -noout -pubkey 2>&1)" \
		"$1: the certificate is for the key in the Secret"
	assert_eq "$2" "$(openssl x509 -in "$TEST_TMP/crt.pem" -noout -ext subjectAltName 2>&1 |
		tail -n 1 | tr -d ' ' | sed 's/DNS://g' | tr , '\n' | sort | paste -sd,)" \
		"$1: the certificate's names"
}
# challenge NAME FIELD...: the FIELDs of NAME's entry in the last run's
# challenges, one line, space-separated
challenge() {
	python3 -c '
import json, sys
for c in json.loads(sys.argv[1])["challenges"]:
    if c["name"] == sys.argv[2]:
        print(" ".join(str(c.get(f)) for f in sys.argv[3:]))
' "$OUT" "$@"
}

# 1. a wildcard and its apex, both through the nsupdate hook to the Knot
certificate "[$ZONE, \"*.$ZONE\"]"
flow --dns-hook "$HOOK" -o "$M/apex.yaml"
assert_rc 0 "wildcard + apex through dns-01: exit 0"
assert_eq ok "$(json_field "$OUT" verdict)" "wildcard + apex: verdict ok"
for n in "$ZONE" "*.$ZONE"; do
	assert_eq "DNS-01 ok 1" "$(challenge "$n" type verdict checks)" \
		"$n: DNS-01, cert-manager's check passed with the real value at the first try"
done
assert_contains "$(challenge "$ZONE" steps)" "'what': 'zone', 'outcome': '$ZONE.'" \
	"the zone was found by the SOA walk"
assert_contains "$(challenge "$ZONE" steps)" "$NS_IP:53" "the authoritative nameserver was asked"
assert_secret "$M/apex.yaml" "*.$ZONE,$ZONE"
assert_eq "" "$(txt "_acme-challenge.$ZONE")" "both TXT values removed afterwards"
assert_contains "$(json_field "$OUT" order_account.from)" "acmectl's stored account" \
	"no Issuer key given: the stored account ordered, and the output says so"
STORED_URL=$(json_field "$OUT" order_account.url)
assert_contains "$STORED_URL" "https://acme.test:14000/" "the stored account's URL"

# 2. one name through --webroot (the Issuer's http01 solver picks it by
# dnsNames), one through the hook, in one order
certificate "[web.$ZONE, mix.$ZONE]"
flow --dns-hook "$HOOK" --webroot "$W" -o "$M/mixed.yaml"
assert_rc 0 "mixed: exit 0"
assert_eq "HTTP-01 ok" "$(challenge "web.$ZONE" type verdict)" "web: HTTP-01, the GET self check passed"
assert_contains "$(challenge "web.$ZONE" steps)" "http://web.$ZONE/.well-known/acme-challenge/" \
	"web: checked over HTTP"
assert_eq "DNS-01 ok" "$(challenge "mix.$ZONE" type verdict)" "mix: DNS-01, the DNS check passed"
assert_secret "$M/mixed.yaml" "mix.$ZONE,web.$ZONE"
assert_eq "" "$(txt "_acme-challenge.mix.$ZONE")" "mix: the record removed"
assert_eq "" "$(ls -A "$W/.well-known/acme-challenge" 2>/dev/null)" "web: the token removed"

# 3. the hook publishes nothing: cert-manager's reason, checks every 10 s
# until --deadline, the challenge never answered, nothing written
certificate "[lost.$ZONE]"
ANSWERS=$(pebble_request_count "POST /chalZ")
START=$(now_ms)
flow --dns-hook "$LOST" --deadline 12 -o "$M/lost.yaml"
ELAPSED=$(($(now_ms) - START))
assert_rc 1 "a record never published: exit 1"
assert_eq dns_record_missing "$(json_field "$OUT" verdict)" "verdict dns_record_missing"
assert_eq "Waiting for DNS-01 challenge propagation: DNS record for \"lost.$ZONE\" not yet propagated" \
	"$(challenge "lost.$ZONE" reason)" "cert-manager's Challenge reason, word for word"
assert_eq "DNS-01 2" "$(challenge "lost.$ZONE" type checks)" "checked at 0 s and 10 s, then --deadline"
assert_true "the flow ran until --deadline (${ELAPSED} ms)" [ "$ELAPSED" -ge 11500 ]
assert_true "and not much longer (${ELAPSED} ms)" [ "$ELAPSED" -lt 40000 ]
assert_contains "$(json_field "$OUT" issue_error)" "the challenge is not answered" "the flow says why it stopped"
assert_eq "$ANSWERS" "$(pebble_request_count "POST /chalZ")" "the challenge was not answered"
assert_no_file "$M/lost.yaml" "no Secret written"
assert_eq "add _acme-challenge.lost.$ZONE
remove _acme-challenge.lost.$ZONE" "$(cat "$TEST_TMP/lost.calls")" "the hook's remove ran all the same"

# 3b. the hook's add fails (after it may have written the record): the
# order fails, and its remove runs all the same, once
FAILING="$TEST_TMP/hooks/failing"
printf '#!/bin/sh\necho "$1 $2" >>%s/failing.calls\n[ "$1" = remove ] || exit 1\n' \
	"$TEST_TMP" >"$FAILING"
chmod 0755 "$FAILING"
certificate "[failing.$ZONE]"
flow --dns-hook "$FAILING" -o "$M/failing.yaml"
assert_rc 2 "the hook's add failed: the order's error, a dns hook failure, exit 2"
assert_eq order_failed "$(json_field "$OUT" verdict)" "the hook's add failed: verdict order_failed"
assert_contains "$(json_field "$OUT" issue_error)" \
	"dns hook $FAILING add _acme-challenge.failing.$ZONE failed with exit status 1" \
	"the hook's add failed: the flow says how"
assert_no_file "$M/failing.yaml" "the hook's add failed: no Secret written"
assert_eq "add _acme-challenge.failing.$ZONE
remove _acme-challenge.failing.$ZONE" "$(cat "$TEST_TMP/failing.calls")" \
	"the failed add's remove ran, once"

# 4. refused before any request: a DNS-01 name without --dns-hook, and a
# hook others could replace
REQUESTS=$(pebble_request_count)
certificate "[gone.$ZONE]"
flow --webroot "$W" -o "$M/gone.yaml"
assert_rc 2 "a DNS-01 name without --dns-hook: exit 2"
assert_contains "$ERR" "gone.$ZONE: cert-manager answers DNS-01 for it (solvers[0] (dns01, rfc2136)): the flow needs --dns-hook PROG" \
	"names the name and the flag it needs"
install -m 0757 "$HOOK" "$TEST_TMP/hooks/planted"
flow --dns-hook "$TEST_TMP/hooks/planted" -o "$M/gone.yaml"
assert_rc 4 "a hook others could write: exit 4"
assert_contains "$ERR" "dns hook" "says it is the dns hook"
assert_contains "$ERR" "$TEST_TMP/hooks/planted" "names the program"
assert_eq "$REQUESTS" "$(pebble_request_count)" "no request reached the CA"
assert_no_file "$M/gone.yaml" "nothing written"

# 5. the Issuer's account key in --secret: the order goes out on its account
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/issuer.key" 2>/dev/null
cat >"$M/account-secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: dns-acme-account-key, namespace: cert-manager}
type: Opaque
data:
  tls.key: $(base64 -w0 <"$TEST_TMP/issuer.key")
YAML
certificate "[acct.$ZONE]"
ORDERS=$(pebble_request_count "order-plz")
STATE="$TEST_TMP/state-issuer" flow --dns-hook "$HOOK" --secret "$M/account-secret.yaml" \
	-o "$M/acct.yaml"
assert_rc 1 "the Issuer's key without an account: exit 1"
assert_eq account_failed "$(json_field "$OUT" verdict)" "account_failed: it is not registered here"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "no order"
assert_no_file "$M/acct.yaml" "nothing written"
# the Issuer's Secret without its data key, or with no key in it: never
# the stored account in its place
sed 's/^  tls.key:/  other.key:/' "$M/account-secret.yaml" >"$M/no-data-key.yaml"
STATE="$TEST_TMP/state-issuer" flow --dns-hook "$HOOK" --secret "$M/no-data-key.yaml" -o "$M/acct.yaml"
assert_rc 1 "the account key Secret without tls.key: exit 1, cert-manager's condition"
assert_eq account_failed "$(json_field "$OUT" verdict)" "no data key: account_failed, as cert-manager"
assert_contains "$OUT" 'no data for \"tls.key\"' "cert-manager's words name the missing data key"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "no order on the stored account"
assert_no_file "$M/acct.yaml" "nothing written"
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: dns-acme-account-key}\ndata:\n  tls.key: %s\n' \
	"$(printf 'not a key' | base64 -w0)" >"$M/garbage.yaml"
STATE="$TEST_TMP/state-issuer" flow --dns-hook "$HOOK" --secret "$M/garbage.yaml" -o "$M/acct.yaml"
assert_rc 1 "an account key cert-manager cannot read: exit 1"
assert_eq account_failed "$(json_field "$OUT" verdict)" "garbage key: account_failed, as cert-manager"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "no order on any account"
assert_no_file "$M/acct.yaml" "nothing written"
STATE="$TEST_TMP/state-issuer" flow --dns-hook "$HOOK" --secret "$M/account-secret.yaml" \
	--register -o "$M/acct.yaml"
assert_rc 0 "with --register (cert-manager's newAccount in the account step): exit 0"
ISSUER_URL=$(json_field "$OUT" order_account.url)
assert_contains "$(json_field "$OUT" order_account.from)" \
	"the Issuer's account key, Secret dns-acme-account-key (tls.key) in $M/account-secret.yaml" \
	"the output says the Issuer's key ordered"
assert_ne "$STORED_URL" "$ISSUER_URL" "not acmectl's stored account"
netns_acmectl client --json --state-dir "$TEST_TMP/state-show" --server "$PEBBLE_DIR_URL" \
	--ca-bundle "$PEBBLE_CA" account show --account-key "$TEST_TMP/issuer.key"
assert_eq "$ISSUER_URL" "$(json_field "$OUT" url)" "Pebble's account for that key is the one that ordered"
assert_secret "$M/acct.yaml" "acct.$ZONE"
assert_eq "" "$(ls "$TEST_TMP/state-issuer/accounts/"*/key.pem 2>/dev/null)" \
	"acmectl kept neither the Issuer's key nor an account of its own"
# the same key as --account-key: the same account orders (text output)
certificate "[acct2.$ZONE]"
netns_acmectl client --timeout 5 --state-dir "$TEST_TMP/state-issuer" --ca-bundle "$PEBBLE_CA" \
	diagnose --certificate "$M/cert.yaml" --from-issuer "$M/issuer.yaml" --dns-hook "$HOOK" \
	--account-key "$TEST_TMP/issuer.key" -o "$M/acct2.yaml"
assert_rc 0 "the Issuer's key as --account-key: exit 0"
assert_contains "$OUT" "the order's account: $ISSUER_URL (the Issuer's account key, --account-key $TEST_TMP/issuer.key)" \
	"--account-key: that key's account ordered, and the output says so"
assert_contains "$OUT" "acct2.$ZONE: DNS-01 by solvers[0] (dns01, rfc2136): " "text: the name's solver"
assert_contains "$OUT" "  self checks with the real token: 1" "text: how many checks it took"
assert_contains "$OUT" "Domain \"acct2.$ZONE\" verified with \"DNS-01\" validation" \
	"text: the Challenge's event"
assert_secret "$M/acct2.yaml" "acct2.$ZONE"

# 6. CNAME delegation: _acme-challenge.deleg.dns.test is a CNAME into
# other.test. The hook notes what it was asked and what the Knot of
# other.test serves right after its add (dig against that Knot).
sed 's/^    - dns01:$/&\n        cnameStrategy: Follow/' "$M/issuer.yaml" >"$M/issuer-follow.yaml"
grep -q 'cnameStrategy: Follow' "$M/issuer-follow.yaml" || fail "no Follow issuer written"
SPY="$TEST_TMP/hooks/spy"
printf '#!/bin/sh\necho "$1 $2" >>%s/spy.calls\n"%s" "$@" || exit $?\n[ "$1" = add ] || exit 0\necho "other.test: $(dig +short +time=2 +tries=2 @%s "$2" TXT)" >>%s/spy.calls\n' \
	"$TEST_TMP" "$HOOK" "$NS2_IP" "$TEST_TMP" >"$SPY"
chmod 0755 "$SPY"
certificate "[deleg.$ZONE]"
: >"$TEST_TMP/spy.calls"
ISSUER="$M/issuer-follow.yaml" ACMECTL_NSUPDATE_SERVER=$NS2_IP ACMECTL_NSUPDATE_ZONE=other.test \
	flow --dns-hook "$SPY" --dns01-recursive-nameservers "$RES_IP:53" -o "$M/deleg.yaml"
assert_rc 0 "cnameStrategy Follow, the CNAME into other.test: exit 0"
assert_eq "DNS-01 ok 1" "$(challenge "deleg.$ZONE" type verdict checks)" \
	"deleg: cert-manager's check found the value at the end of the chain"
assert_eq "_acme-challenge.deleg.other.test." "$(json_field "$OUT" challenges.0.record.name)" \
	"--json: the record was written at the end of the CNAME chain"
assert_contains "$(json_field "$OUT" challenges.0.record.why)" \
	"cnameStrategy Follow: the end of the CNAME chain the recursive nameservers give (_acme-challenge.deleg.$ZONE. -> _acme-challenge.deleg.other.test.)" \
	"--json: why there"
assert_eq "add _acme-challenge.deleg.other.test" "$(sed -n 1p "$TEST_TMP/spy.calls")" \
	"the hook was asked to write in other.test"
assert_contains "$(sed -n 2p "$TEST_TMP/spy.calls")" "other.test: \"" \
	"the Knot of other.test served the TXT value after the add"
assert_eq "remove _acme-challenge.deleg.other.test" "$(sed -n 3p "$TEST_TMP/spy.calls")" \
	"and the hook removed it there afterwards"
assert_eq "" "$(nsx client dig +short +time=2 +tries=2 @"$NS2_IP" _acme-challenge.deleg.other.test TXT)" \
	"other.test serves no TXT afterwards"
assert_secret "$M/deleg.yaml" "deleg.$ZONE"

# 7. the same delegation with cnameStrategy None (the default): the hook is
# asked to write at the CNAME's owner, where a DNS server keeps nothing
# beside a CNAME; cert-manager's check follows the CNAME and never finds it
: >"$TEST_TMP/spy.calls"
certificate "[plain.$ZONE]"
flow --dns-hook "$SPY" --dns01-recursive-nameservers "$RES_IP:53" --deadline 3 -o "$M/plain.yaml"
assert_rc 1 "cnameStrategy None and a CNAME: exit 1"
assert_eq "_acme-challenge.plain.$ZONE." "$(json_field "$OUT" challenges.0.record.name)" \
	"--json: the record was written at _acme-challenge.NAME, the CNAME's owner"
assert_contains "$(json_field "$OUT" challenges.0.record.why)" "cnameStrategy None (the default)" \
	"--json: why there"
assert_eq "add _acme-challenge.plain.$ZONE" "$(sed -n 1p "$TEST_TMP/spy.calls")" \
	"the hook was asked to write beside the CNAME"
assert_eq "_acme-challenge.plain.other.test." \
	"$(nsx client dig +short +time=2 +tries=2 @"$NS_IP" "_acme-challenge.plain.$ZONE" TXT)" \
	"the Knot of dns.test still answers that name with the CNAME only"
assert_eq dns_cname_target_missing "$(json_field "$OUT" verdict)" "verdict dns_cname_target_missing"
assert_eq "Waiting for DNS-01 challenge propagation: DNS record for \"plain.$ZONE\" not yet propagated" \
	"$(challenge "plain.$ZONE" reason)" "cert-manager's Challenge reason, word for word"
assert_contains "$(challenge "plain.$ZONE" advice)" "cnameStrategy: Follow" "the advice names the fix"
assert_no_file "$M/plain.yaml" "no Secret written"

# 8. a CNAME loop with Follow: cert-manager's Present fails with its
# error, which is the Challenge's reason; seen before the order, so no
# order is made and the hook is never run
: >"$TEST_TMP/spy.calls"
certificate "[loop.$ZONE]"
ORDERS=$(pebble_request_count "order-plz")
ISSUER="$M/issuer-follow.yaml" flow --dns-hook "$SPY" --dns01-recursive-nameservers "$RES_IP:53" \
	-o "$M/loop.yaml"
assert_rc 1 "a CNAME loop with Follow: exit 1"
assert_eq cname_loop "$(json_field "$OUT" verdict)" "verdict cname_loop"
assert_eq "Found recursive CNAME record to \"_acme-challenge.loop.$ZONE.\" when looking up \"_acme-challenge.loop2.$ZONE.\"" \
	"$(challenge "loop.$ZONE" reason)" "cert-manager's Present error as the reason, word for word"
assert_eq null "$(json_field "$OUT" challenges.0.record)" "--json: no record written"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "no order"
assert_eq "" "$(cat "$TEST_TMP/spy.calls")" "the hook was never run"
assert_no_file "$M/loop.yaml" "no Secret written"

# 9. a chain of 70 CNAMEs with Follow: cert-manager would follow it to its
# end (followCNAMEs has no limit); acmectl stops after 64 hops, says so,
# and orders and publishes nothing
assert_eq "long70.$ZONE." "$(nsx client dig +short +time=2 +tries=2 @"$RES_IP" "long69.$ZONE" CNAME)" \
	"lab check: the recursive nameservers serve the chain's 70th CNAME"
: >"$TEST_TMP/spy.calls"
certificate "[long.$ZONE]"
ORDERS=$(pebble_request_count "order-plz")
ISSUER="$M/issuer-follow.yaml" flow --dns-hook "$SPY" --dns01-recursive-nameservers "$RES_IP:53" \
	-o "$M/long.yaml"
assert_rc 1 "a chain of 70 CNAMEs with Follow: exit 1"
assert_eq cname_chain_too_long "$(json_field "$OUT" verdict)" "verdict cname_chain_too_long"
assert_contains "$OUT" "acmectl follows at most 64 CNAMEs and the chain from \\\"_acme-challenge.long.$ZONE.\\\" is longer" \
	"the limit said in acmectl's words"
assert_eq null "$(json_field "$OUT" challenges.0.record)" "--json: no record written"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "no order"
assert_eq "" "$(cat "$TEST_TMP/spy.calls")" "the hook was never run"
assert_no_file "$M/long.yaml" "no Secret written"

test_done
