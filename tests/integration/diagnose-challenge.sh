#!/bin/bash
# diagnose-challenge.sh - `diagnose --challenge` on HTTP-01 Challenges in
# the netns lab: a real nginx plays the cluster's ingress (the token for
# shop.test, a 404 default backend for hosts it has no rule for, a token
# with a trailing newline, a redirect to https with a self-signed
# certificate, a redirect to https on the plain port, a redirect loop,
# a redirect to an https port that speaks only TLS 1.0 and 1.1);
# dnsmasq is the cluster DNS; hairpin.test resolves to an address that
# swallows every packet. DNS-01: two Knot servers are authoritative for
# lab.test, one of them without some records. Each case asserts the
# verdict and cert-manager's status.reason word for word.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/knot.sh"
. "$(dirname "$0")/../lib/cluster.sh"
. "$(dirname "$0")/../lib/jsonview.sh"
netns_lab_begin
netns_client_server
cluster_ingress_addr server client
DARK=$(netns_free client server 11)
netns_blackhole client server "$DARK"
W="$TEST_TMP/www"
TOKEN=AbCdEf0123456789_-xyz
KEY="$TOKEN.thumbprintThumbprintThumbprint0123456"
mkdir -p "$W/.well-known/acme-challenge"
printf '%s' "$KEY" >"$W/.well-known/acme-challenge/$TOKEN"
printf '%s\n' "$KEY" >"$W/.well-known/acme-challenge/newline"
netns_ca "$TEST_TMP/lab" ca
netns_cert "$TEST_TMP/lab" ca secure secure.test
netns_cert "$TEST_TMP/lab" ca old old.test

cluster_ingress_start server <<EOF
	server {
		listen $INGRESS_IP:80;
		server_name shop.test;
		root $W;
	}
	server {
		listen $INGRESS_IP:80;
		server_name secure.test;
		return 301 https://\$host\$request_uri;
	}
	server {
		listen $INGRESS_IP:443 ssl;
		server_name secure.test;
		ssl_certificate $TEST_TMP/lab/secure.pem;
		ssl_certificate_key $TEST_TMP/lab/secure.key;
		root $W;
	}
	server {
		listen $INGRESS_IP:80;
		server_name plain.test;
		return 301 https://\$host:80\$request_uri;
	}
	server {
		listen $INGRESS_IP:80;
		server_name old.test;
		return 301 https://\$host:4443\$request_uri;
	}
	# TLS 1.0 and 1.1 only (OpenSSL 3 needs security level 0 for them);
	# its own port, as the versions are chosen before the name is known
	server {
		listen $INGRESS_IP:4443 ssl;
		server_name old.test;
		ssl_certificate $TEST_TMP/lab/old.pem;
		ssl_certificate_key $TEST_TMP/lab/old.key;
		ssl_protocols TLSv1 TLSv1.1;
		ssl_ciphers DEFAULT:@SECLEVEL=0;
		root $W;
	}
	server {
		listen $INGRESS_IP:80;
		server_name loop.test;
		return 302 http://loop.test/again\$request_uri;
	}
EOF
netns_dnsmasq_start server "$SERVER_IP" --address=/shop.test/"$INGRESS_IP" \
	--address=/secure.test/"$INGRESS_IP" --address=/plain.test/"$INGRESS_IP" \
	--address=/loop.test/"$INGRESS_IP" --address=/old.test/"$INGRESS_IP" --address=/other.test/"$INGRESS_IP" \
	--address=/hairpin.test/"$DARK" --address=/nothere.test/
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:1"

# challenge NAME TOKEN KEY: writes $TEST_TMP/NAME.yaml, a Challenge as
# kubectl prints it
challenge() {
	cat >"$TEST_TMP/$1.yaml" <<EOF
apiVersion: acme.cert-manager.io/v1
kind: Challenge
metadata:
  name: web-$1-1-2345
  namespace: default
spec:
  authorizationURL: https://acme.test/authz/1
  dnsName: $1
  key: $3
  token: $2
  type: HTTP-01
  url: https://acme.test/chal/1
  wildcard: false
status:
  presented: true
  processing: true
  state: pending
EOF
}

# assert_selfcheck NAME TYPE VERDICT REASON-AFTER-PREFIX: the last diagnose
# --json run (read by json_view) gave VERDICT and, after "Waiting for TYPE
# challenge propagation: ", exactly REASON (an empty REASON: null, the
# check passes, exit 0; else exit 1).
assert_selfcheck() {
	local name=$1 type=$2 verdict=$3 reason=$4
	assert_eq "$verdict" "$(jv challenges.0.verdict)" "$name: verdict"
	if [ -n "$reason" ]; then
		assert_eq "Waiting for $type challenge propagation: $reason" \
			"$(jv challenges.0.reason)" "$name: cert-manager's status.reason"
		assert_rc 1 "$name: a fault is exit 1"
	else
		assert_eq null "$(jv challenges.0.reason)" "$name: reason null: it passes"
		assert_rc 0 "$name: passing is exit 0"
	fi
}

# check NAME VERDICT REASON-AFTER-PREFIX [TOKEN [KEY]]: diagnose --json the
# HTTP-01 Challenge for NAME and assert_selfcheck.
check() {
	local name=$1 verdict=$2 reason=$3 token=${4:-$TOKEN} key=${5:-$KEY}
	challenge "$name" "$token" "$key"
	netns_timed_acmectl client --json diagnose --challenge "$TEST_TMP/$name.yaml" \
		${CM_VERSION:+--cert-manager-version "$CM_VERSION"}
	json_view
	assert_selfcheck "$name" HTTP-01 "$verdict" "$reason"
}
URL() { echo "http://$1/.well-known/acme-challenge/${2:-$TOKEN}"; }
FAILED() { echo "failed to perform self check GET request '$(URL "$1" "${3:-}")': Get \"$2\": "; }

check shop.test ok ""
assert_true "5 passes take 8 s at least (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -ge 8000 ]
assert_eq 5 "$(grep -c "GET /.well-known/acme-challenge/$TOKEN " "$INGRESS_DIR/access.log")" \
	"nginx saw 5 GETs"

# a host the ingress has no rule for: its default backend answers
check other.test wrong_status "wrong status code '404', expected '200'"
assert_contains "$(jv challenges.0.advice)" "ingress class" "404: advice names the ingress class"

check shop.test wrong_body "did not get expected response when querying endpoint, expected \"$KEY\" but got: ${KEY:0:24}... (truncated)" \
	newline
assert_contains "$(jv challenges.0.advice)" "byte for byte" "newline: advice"

# redirected to https with a self-signed certificate: cert-manager does not verify it
check secure.test ok ""

# redirected to https on the plain port
check plain.test redirect_https_failed \
	"$(FAILED plain.test "https://plain.test:80/.well-known/acme-challenge/$TOKEN")http: server gave HTTP response to HTTPS client"

# redirected to https that speaks only TLS 1.0 and 1.1: cert-manager v1.8.0
# (Go 1.17) offers those and passes; v1.21.1 offers TLS 1.2 and 1.3 only
# and gets the server's protocol_version alert, in Go's words (as Go 1.18's
# client says it in diagnose-tls-version.sh)
assert_true "lab check: old.test speaks TLS 1.1" nsx client sh -c \
	"openssl s_client -connect $INGRESS_IP:4443 -tls1_1 -cipher DEFAULT:@SECLEVEL=0 </dev/null >/dev/null 2>&1"
assert_false "lab check: old.test does not speak TLS 1.2" nsx client sh -c \
	"openssl s_client -connect $INGRESS_IP:4443 -tls1_2 </dev/null >/dev/null 2>&1"
CM_VERSION=v1.8.0 check old.test ok ""
assert_contains "$OUT" "TLSv1.1" "old.test, v1.8.0: the redirect's https over TLS 1.1"
CM_VERSION=v1.21.1 check old.test redirect_https_failed \
	"$(FAILED old.test "https://old.test:4443/.well-known/acme-challenge/$TOKEN")remote error: tls: protocol version not supported"
assert_contains "$(json_field "$OUT" challenges.0.advice)" "enable TLS 1.2" \
	"old.test, v1.21.1: the advice names the fix"

# Go's url.Error names the 10th Location as sent
check loop.test redirect_loop \
	"$(FAILED loop.test "http://loop.test$(printf '/again%.0s' 1 2 3 4 5 6 7 8 9 10)/.well-known/acme-challenge/$TOKEN")stopped after 10 redirects"
assert_eq 9 "$(grep -c '"GET /again' "$INGRESS_DIR/access.log")" \
	"10 requests: the first and 9 redirects followed"

check nothere.test name_not_resolved \
	"$(FAILED nothere.test "$(URL nothere.test)")dial tcp: lookup nothere.test on $SERVER_IP:53: no such host"

check hairpin.test connect_timeout \
	"$(FAILED hairpin.test "$(URL hairpin.test)")context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
assert_true "10 s client timeout, bounded (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -ge 9500 ] && [ "$ELAPSED_MS" -lt $((15000 + LOAD_SLACK_MS)) ]
assert_contains "$(jv challenges.0.advice)" "hairpin" "timeout: advice names hairpin NAT"

# HTTP_PROXY in the controller's environment catches the plain-http check
export HTTP_PROXY="http://$SERVER_IP:3999"
check shop.test proxy_catches_selfcheck \
	"$(FAILED shop.test "$(URL shop.test)")proxyconnect tcp: dial tcp $SERVER_IP:3999: connect: connection refused"
assert_contains "$(jv challenges.0.advice)" "NO_PROXY" "proxy: advice names NO_PROXY"
export NO_PROXY=shop.test
check shop.test ok ""
unset HTTP_PROXY NO_PROXY

# DNS-01: lab.test served by two Knot servers; the second lacks
# _acme-challenge.half, and _acme-challenge.alias is a CNAME to where the
# value is (a delegated challenge name), _acme-challenge.broken one to
# where it is not
NS1=$(netns_free server client 12)
NS2=$(netns_free server client 13)
netns_addr server client "$NS1"
netns_addr server client "$NS2"
TXT=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
ZONE="@ SOA ns1 hostmaster 1 60 60 3600 1
@ NS ns1
@ NS ns2
ns1 A $NS1
ns2 A $NS2
_acme-challenge.good TXT $TXT
_acme-challenge.wrong TXT someoneElsesValue0123456789abcdefghijklmno
_acme-challenge.alias CNAME target.acme
target.acme TXT $TXT
_acme-challenge.broken CNAME nowhere.acme"
knot_start 1 "$NS1" lab.test "$ZONE
_acme-challenge.half TXT $TXT" server
knot_start 2 "$NS2" lab.test "$ZONE" server
netns_hosts client "$NS1 ns1.lab.test" "$NS2 ns2.lab.test"

# dns01 NAME VERDICT REASON-AFTER-PREFIX [OPTION...]
dns01() {
	local name=$1 verdict=$2 reason=$3
	shift 3
	printf '{"apiVersion": "acme.cert-manager.io/v1", "kind": "Challenge",
 "metadata": {"name": "dns-%s"},
 "spec": {"dnsName": "%s", "key": "%s", "token": "tok", "type": "DNS-01",
          "wildcard": false}}\n' "$name" "$name" "$TXT" >"$TEST_TMP/$name.json"
	netns_timed_acmectl client --json diagnose --challenge "$TEST_TMP/$name.json" \
		--dns01-recursive-nameservers "$NS1:53" "$@"
	json_view
	assert_selfcheck "$name" DNS-01 "$verdict" "$reason"
}
dns01 good.lab.test ok ""
assert_contains "$OUT" '"outcome": "lab.test."' "the zone was found by the SOA walk"
dns01 half.lab.test dns_record_partial 'DNS record for "half.lab.test" not yet propagated'
assert_contains "$OUT" "TXT _acme-challenge.half.lab.test. at $NS2:53" "the lagging server is named"
dns01 half.lab.test ok "" --dns01-recursive-nameservers-only
dns01 wrong.lab.test dns_wrong_value 'DNS record for "wrong.lab.test" not yet propagated'
dns01 missing.lab.test dns_record_missing 'DNS record for "missing.lab.test" not yet propagated'
dns01 alias.lab.test ok ""
assert_contains "$OUT" "_acme-challenge.alias.lab.test. -> target.acme.lab.test." "the CNAME was followed"
dns01 broken.lab.test dns_cname_target_missing 'DNS record for "broken.lab.test" not yet propagated'
dns01 elsewhere.test soa_walk_failed \
	"Could not determine the zone for \"_acme-challenge.elsewhere.test.\": When querying the SOA record for the domain '_acme-challenge.elsewhere.test.' using nameservers [$NS1:53], rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got 'REFUSED'"

# hostile manifests: one line, exit 2
challenge 'bad' 'a/../../x' "$KEY"
netns_acmectl client diagnose --challenge "$TEST_TMP/bad.yaml"
assert_rc 2 "a token with a slash is refused"
assert_contains "$ERR" "spec.token is not base64url" "and said so"
printf 'kind: Certificate\n' >"$TEST_TMP/none.yaml"
netns_acmectl client diagnose --challenge "$TEST_TMP/none.yaml"
assert_rc 2 "no Challenge in the file"
assert_contains "$ERR" "no Challenge in it" "and said so"

test_done
