#!/bin/bash
# diagnose-alternate.sh - diagnose --certificate's flow when the Issuer's
# preferredChain meets a broken alternate chain, against fault_ca.py in
# front of the netns lab's Pebble (the ingress and the cluster DNS as in
# diagnose-certificate.sh; root). cert-manager fetches each alternate
# (golang.org/x/crypto/acme's FetchCert) and parses it before it matches
# the issuer CN; every release fails the Order's sync on one it cannot
# fetch or parse, with the release's wrapping (v1.15.0 on: "error
# retrieving preferred chain: error fetching certificate chain from URL:
# ...", v1.7.0 to v1.14.x: "error retrieving alternate chain: error
# fetching alternate certificate chain from URL: ..."; every release's
# texts are test_cmfailure's rows), and retries it
# while it stays broken: the Order valid without a certificate, the
# CertificateRequest waiting for it, no Secret (verdict
# alternate_chain_failed, exit 1). A chain whose top matches but does not
# link is taken as served (acmectl's own issue passes it over).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/cluster.sh"
. "$(dirname "$0")/../lib/jsonview.sh"
netns_lab_begin
netns_client_server
cluster_ingress_addr server client
netns_hosts client "$SERVER_IP acme.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
W="$TEST_TMP/www"
M="$TEST_TMP/manifests"
mkdir -p "$W/.well-known/acme-challenge" "$M"
cluster_ingress_start server <<EOF
	server { listen $INGRESS_IP:80; server_name shop.test; root $W; }
EOF
netns_dnsmasq_start server "$SERVER_IP" --address=/shop.test/"$INGRESS_IP" \
	--address=/acme.test/"$SERVER_IP"
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:1"
netns_webroot_start server "$W"

PREFERRED="fault_ca test root"
FRONT_PORT=14002       # inside the lab's own namespace
FRONT="https://acme.test:$FRONT_PORT"
FRONT_PID=

# front FAULT: fault_ca.py with FAULT in front of Pebble, in the server's
# namespace (one at a time)
front() {
	[ -z "$FRONT_PID" ] || stop_pid "$FRONT_PID"
	mkdir -p "$TEST_TMP/front-$1"
	netns_spawn FRONT_PID "$TEST_TMP/front-$1/server.log" server python3 \
		"$(dirname "$0")/../lib/fault_ca.py" --fault "$1" --listen "$SERVER_IP" --port "$FRONT_PORT" \
		--workdir "$TEST_TMP/front-$1" --cert "$TEST_TMP/lab/pebble-14000.pem" \
		--key "$TEST_TMP/lab/pebble-14000.key" --upstream "$SERVER_IP:14000" \
		--upstream-ca "$PEBBLE_CA" --log "$TEST_TMP/front-$1/events.log"
	netns_wait_port server "$SERVER_IP" "$FRONT_PORT" 20 ||
		fail "fault_ca.py did not start: $(cat "$TEST_TMP/front-$1/server.log")"
}

cluster_issuer "$M/issuer.yaml" "$CLUSTER_HTTP01" "$PEBBLE_CA"
sed -i "s|^    server: .*|    server: $FRONT/dir\n    preferredChain: \"$PREFERRED\"|" "$M/issuer.yaml"
cat >"$M/cert.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: shop
spec:
  secretName: web-tls
  issuerRef:
    name: lab-acme
    kind: ClusterIssuer
  dnsNames: [shop.test]
YAML
# flow OUT VERSION: the whole flow as release VERSION, the Secret to OUT
flow() {
	netns_acmectl client --json --timeout 5 --state-dir "$TEST_TMP/state" \
		--ca-bundle "$PEBBLE_CA" diagnose --certificate "$M/cert.yaml" \
		--from-issuer "$M/issuer.yaml" --webroot "$W" -o "$1" --cert-manager-version "$2"
	json_view
}
# fails FAULT VERSION ERROR: the Order's sync fails with ERROR, retried
fails() {
	local out="$M/secret-$1-$2.yaml"
	flow "$out" "$2"
	assert_rc 1 "$1, $2: exit 1"
	assert_eq alternate_chain_failed "$(jv verdict)" "$1, $2: verdict"
	assert_eq "$3" "$(jv @Order.error)" "$1, $2: the error the Order's sync returns"
	assert_eq valid "$(jv @Order.state)" "$1, $2: the Order is valid at the CA"
	assert_eq "Waiting for order-controller to add certificate data to Order shop/web-xxxxx-NNNNNNNNNN" \
		"$(jv @CertificateRequest.conditions.0.message)" "$1, $2: the CertificateRequest waits"
	assert_eq Pending "$(jv @CertificateRequest.conditions.0.reason)" "$1, $2: Pending"
	assert_eq OrderPending "$(jv @CertificateRequest.events.0.reason)" "$1, $2: its event"
	assert_contains "$(jv issue_error)" "the alternate chain $FRONT/fault-alternate/$1 fails the Order's sync" \
		"$1, $2: the flow says why it stopped"
	assert_no_file "$out" "$1, $2: no Secret written"
}

front alternate-500
fails alternate-500 v1.21.1 "error retrieving preferred chain: error fetching certificate chain from \
$FRONT/fault-alternate/alternate-500: 500 urn:ietf:params:acme:error:serverInternal: alternate chain store down"

front alternate-garbage
fails alternate-garbage v1.14.5 "error retrieving alternate chain: error fetching alternate certificate chain \
from $FRONT/fault-alternate/alternate-garbage: acme: certificate chain is empty"

front alternate-huge
fails alternate-huge v1.21.1 "error retrieving preferred chain: error parsing certificate chain: x509: malformed certificate"

# the unlinked chain's top is the preferred issuer: taken as served
front alternate-unlinked
flow "$M/secret-unlinked.yaml" v1.21.1
assert_rc 0 "alternate-unlinked, v1.21.1: exit 0"
assert_eq ok "$(jv verdict)" "alternate-unlinked, v1.21.1: verdict"
sed -n "s/^  tls\.crt: \([^ ]*\)\$/\1/p" "$M/secret-unlinked.yaml" | base64 -d >"$TEST_TMP/unlinked.pem"
assert_eq "$(grep -v '^$' "$TEST_TMP/front-alternate-unlinked/fault-ca.pem")" \
	"$(awk '/BEGIN CERT/ { n++ } n == 2' "$TEST_TMP/unlinked.pem" | grep -v '^$')" \
	"alternate-unlinked, v1.21.1: tls.crt ends in the front's root, as cert-manager takes it"
test_done
