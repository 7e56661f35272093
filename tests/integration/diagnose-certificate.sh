#!/bin/bash
# diagnose-certificate.sh - `diagnose --certificate FILE --from-issuer FILE`
# in the netns lab: Pebble in "server" plays the issuer's CA (the account
# step runs against it), a real nginx plays the cluster's ingress for
# shop.test (a 404 default backend for every other host), dnsmasq is the
# cluster DNS. Cases: a Certificate whose names all reach the ingress
# (reachable, exit 0), a commonName not among the dnsNames (the
# CertificateRequest's InvalidOrder message word for word, exit 1), fields
# the API server or the webhook refuses (api_refused, webhook_denied), a
# wildcard with an http01-only issuer (wildcard_needs_dns01), a selector
# that leaves a name without solver (no_solver, the Order's Solver event),
# a name the cluster DNS does not know (name_not_resolved with
# cert-manager's reason), and bad inputs (exit 2, one line). With
# --webroot (the ingress and Pebble's VA serve the same directory): the
# whole flow to a Secret (ECDSA P-384 PKCS#8, then RSA 2048 PKCS#1; the
# certificate checked against the key in the Secret, mode 0600, a second
# run refuses to overwrite), rotationPolicy Never reusing the key of the
# --secret Secret (refusing one that no longer fits, replacing one that does
# not decode), a subject and
# usages in the CSR sent, a self check that fails with the real token (the
# challenge is never answered), and the CA refusing after the self check
# passed (the Order, CertificateRequest and Certificate in cert-manager's
# words).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/cluster.sh"
. "$(dirname "$0")/../lib/jsonview.sh"
netns_lab_begin
netns_client_server
cluster_ingress_addr server client
netns_hosts client "$SERVER_IP acme.test"
# an alternate chain (cross-signed intermediate) for the preferredChain case
export PEBBLE_ALTERNATE_ROOTS=1
netns_pebble_start server "$SERVER_IP" 14000 acme.test
W="$TEST_TMP/www"
M="$TEST_TMP/manifests"
mkdir -p "$W/.well-known/acme-challenge" "$M"
cluster_ingress_start server <<EOF
	server { listen $INGRESS_IP:80; server_name shop.test www.shop.test fresh.shop.test; root $W; }
EOF
netns_dnsmasq_start server "$SERVER_IP" --address=/shop.test/"$INGRESS_IP" \
	--address=/acme.test/"$SERVER_IP" --address=/nothere.test/ \
	--address=/other.test/"$INGRESS_IP"
netns_resolv client "nameserver $SERVER_IP" "options timeout:1 attempts:1"

# issuer SOLVERS-YAML: the ClusterIssuer at the lab's Pebble with those solvers
issuer() {
	cluster_issuer "$M/issuer.yaml" "$1" "$PEBBLE_CA"
}

# certificate SPEC-YAML: a Certificate web in default with that spec body
certificate() {
	cat >"$M/cert.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: default
  labels:
    app: web
spec:
  secretName: web-tls
  issuerRef:
    name: lab-acme
    kind: ClusterIssuer
$1
YAML
}
diag() {
	netns_acmectl client --json --timeout 5 diagnose --certificate "$M/cert.yaml" \
		--from-issuer "$M/issuer.yaml" "$@"
	json_view
}
PH=no-order-no-token-placeholder

# 1. every name reaches the ingress: nothing more can be known without an order
issuer "$CLUSTER_HTTP01"
certificate '  commonName: shop.test
  dnsNames: [shop.test, www.shop.test]'
diag
assert_rc 0 "reachable names: exit 0"
assert_eq reachable "$(jv verdict)" "reachable: verdict"
assert_eq "shop.test,www.shop.test" "$(jv certificate.identifiers)" \
	"the Order's identifiers: a sorted set, the CN once"
assert_eq HTTP-01 "$(jv challenges.0.type)" "type HTTP-01"
assert_eq reachable "$(jv challenges.0.verdict)" "shop.test reachable"
assert_eq null "$(jv challenges.0.reason)" "no reason can be known without a token"
assert_contains "$(jv challenges.0.solver.why)" "no selector" "the pick says why"
assert_eq "solvers[0] (http01, ingress class nginx)" "$(jv challenges.0.solver.solver)" \
	"the pick names the solver"
assert_contains "$(jv challenges.0.steps)" "http://shop.test/.well-known/acme-challenge/$PH" \
	"the self check's URL, with the placeholder token"
assert_eq ok "$(jv account.verdict)" "the account step ran against Pebble"
assert_true "nginx saw the placeholder GET" grep -q "GET /.well-known/acme-challenge/$PH " \
	"$INGRESS_DIR/access.log"
assert_true "Pebble's log counts requests" [ "$(pebble_request_count "/dir")" -ge 1 ]
assert_eq 0 "$(pebble_request_count "order-plz")" "no order at the CA without a solver flag"

# 2. commonName not among the dnsNames: the CertificateRequest fails before any order
certificate '  commonName: shop.test
  dnsNames: [www.shop.test, a.shop.test]'
diag
assert_rc 1 "CN not in SANs: exit 1"
assert_eq cn_not_in_sans "$(jv verdict)" "CN not in SANs: verdict"
MSG='The CSR PEM requests a commonName that is not present in the list of dnsNames or ipAddresses. If a commonName is set, ACME requires that the value is also present in the list of dnsNames or ipAddresses: "shop.test" does not exist in [www.shop.test a.shop.test] or []'
assert_eq "$MSG" "$(jv certificate.common_name_error)" "cert-manager's message, word for word"
assert_eq "$MSG" "$(jv cert_manager.objects.0.conditions.0.message)" \
	"the CertificateRequest's Ready condition"
assert_eq InvalidOrder "$(jv cert_manager.objects.0.events.0.reason)" "event InvalidOrder"
assert_eq "The certificate request has failed to complete and will be retried: $MSG" \
	"$(jv cert_manager.objects.1.conditions.0.message)" "the Certificate's Issuing condition"
netns_acmectl client --timeout 5 diagnose --certificate "$M/cert.yaml" --from-issuer "$M/issuer.yaml"
assert_contains "$OUT" "commonName: FAIL: $MSG" "text: the message"
assert_contains "$ERR" "diagnose: cn_not_in_sans" "one error line names the verdict"

# 2b. fields refused before the Certificate exists: the API server (a usage
# outside the CRD's enum), the webhook (literalSubject with its gate off in
# v1.14, and with a commonName)
certificate '  dnsNames: [shop.test]
  usages: [server auth, tls]'
diag
assert_rc 1 "an unknown usage: exit 1"
assert_eq api_refused "$(jv verdict)" "an unknown usage: verdict"
assert_contains "$(jv cert_manager.objects.0.error)" \
	'The Certificate "web" is invalid: spec.usages[1]: Unsupported value: "tls": supported values: "signing", ' \
	"what kubectl apply prints"
assert_eq 0 "$(pebble_request_count "order-plz")" "nothing ordered"
certificate '  dnsNames: [shop.test]
  commonName: shop.test
  literalSubject: "CN=shop.test"'
diag --cert-manager-version v1.14.0
assert_rc 1 "literalSubject in v1.14: exit 1"
assert_eq webhook_denied "$(jv verdict)" "literalSubject in v1.14: verdict"
assert_eq 'admission webhook "webhook.cert-manager.io" denied the request: [spec.literalSubject: Forbidden: Feature gate LiteralCertificateSubject must be enabled on both webhook and controller to use the alpha `literalSubject` field, spec.commonName: Invalid value: "shop.test": When providing a `LiteralSubject` no `commonName` may be provided.]' \
	"$(jv cert_manager.objects.0.error)" "the webhook's two errors, as kubectl prints them"
# the same release with the gate turned on, as operators run it: nothing
# refuses, and the literal subject's CN is the Order's identifier
certificate '  dnsNames: [www.shop.test]
  literalSubject: "CN=shop.test,O=Acme"'
diag --cert-manager-version v1.14.0 \
	--cert-manager-feature-gates LiteralCertificateSubject=true,ValidateCAA=false
assert_rc 1 "gate on: the CN is not among the dnsNames, as cert-manager then sees it"
assert_eq cn_not_in_sans "$(jv verdict)" "gate on: not webhook_denied, the CN check runs"
assert_eq null "$(jv certificate.refusal)" "gate on: no webhook refusal"
assert_contains "$(jv certificate.common_name_error)" '"shop.test" does not exist in [www.shop.test]' \
	"gate on: the literal subject's CN is the CSR's commonName"
assert_eq ValidateCAA "$(jv cert_manager.feature_gates_without_effect)" \
	"a gate acmectl does not model is named, not dropped"
diag --cert-manager-version v1.14.0 --cert-manager-feature-gates literalcertificatesubject=true
assert_rc 2 "an unknown gate: cert-manager would not start, exit 2"
assert_contains "$ERR" "failed to set feature gates from initial flags-based config: unrecognized feature gate: literalcertificatesubject" \
	"cert-manager's own start-up error"

# 3. a wildcard with an http01-only issuer
certificate '  dnsNames: [shop.test, "*.shop.test"]'
diag
assert_rc 1 "wildcard, http01 only: exit 1"
assert_eq wildcard_needs_dns01 "$(jv verdict)" "wildcard: verdict"
assert_eq "*.shop.test" "$(jv challenges.0.name)" "the wildcard sorts first"
assert_eq wildcard_needs_dns01 "$(jv challenges.0.verdict)" "the wildcard's verdict"
assert_eq null "$(jv challenges.0.solver.index)" "no solver picked"
assert_contains "$(jv challenges.0.solver.why)" "only offered dns-01" "why: dns-01 only"
assert_eq "Failed to determine a valid solver configuration for the set of domains on the Order: no configured challenge solvers can be used for this challenge" \
	"$(jv cert_manager.objects.0.events.0.message)" "the Order's Solver event"
assert_eq reachable "$(jv challenges.1.verdict)" "the apex still has its solver"

# 4. a selector that covers one zone only
issuer '    - http01:
        ingress:
          ingressClassName: nginx
      selector:
        dnsZones: [shop.test]
        matchLabels: {app: web}'
certificate '  dnsNames: [shop.test, other.test]'
diag
assert_eq no_solver "$(jv verdict)" "a name outside the zone: no_solver"
assert_eq other.test "$(jv challenges.0.name)" "other.test"
assert_eq no_solver "$(jv challenges.0.verdict)" "other.test has no solver"
assert_contains "$(jv challenges.1.solver.why)" 'dnsZones "shop.test" matches 2 labels' \
	"shop.test: the zone decided"

# 5. a name the cluster DNS does not know: cert-manager's reason word for word
issuer "$CLUSTER_HTTP01"
certificate '  dnsNames: [nothere.test]'
diag
assert_rc 1 "unresolved name: exit 1"
assert_eq name_not_resolved "$(jv challenges.0.verdict)" "nothere.test: verdict"
assert_eq "Waiting for HTTP-01 challenge propagation: failed to perform self check GET request 'http://nothere.test/.well-known/acme-challenge/$PH': Get \"http://nothere.test/.well-known/acme-challenge/$PH\": dial tcp: lookup nothere.test on $SERVER_IP:53: no such host" \
	"$(jv challenges.0.reason)" "the Challenge's status.reason"

# 6. bad inputs: exit 2, one line naming what was wrong
cp "$M/issuer.yaml" "$M/not-a-cert.yaml"
netns_acmectl client diagnose --certificate "$M/not-a-cert.yaml" --from-issuer "$M/issuer.yaml"
assert_rc 2 "a file without Certificate: exit 2"
assert_contains "$ERR" "no Certificate in it" "says what is missing"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -vc '^==' )" "one line"
netns_acmectl client diagnose --certificate "$M/cert.yaml"
assert_rc 2 "--certificate without --from-issuer: exit 2"
assert_contains "$ERR" "needs --from-issuer" "names the missing option"
printf 'kind: Certificate\nspec:\n  secretName: s\n  issuerRef: {name: x}\n  dnsNames: ["a.test/../x"]\n' \
	>"$M/hostile.yaml"
netns_acmectl client diagnose --certificate "$M/hostile.yaml" --from-issuer "$M/issuer.yaml"
assert_rc 2 "a dnsName with a path: exit 2"
assert_contains "$ERR" "spec.dnsNames[0]" "names the field"

# 7. the whole flow with --webroot: the ingress serves the token to the
# self check, Pebble's VA fetches it from the same directory
netns_webroot_start server "$W"
# flow ARGS...: diag with a state and --webroot, so the flow runs to the end
flow() {
	diag --state-dir "$TEST_TMP/state" --ca-bundle "$PEBBLE_CA" --webroot "$W" "$@"
}
# secret_field FILE KEY: data.KEY of the Secret at FILE, decoded
secret_field() {
	sed -n "s/^  ${2//./\\.}: \([^ ]*\)\$/\1/p" "$1" | head -n 1 | base64 -d
}
# assert_secret_matches FILE: tls.crt's leaf holds tls.key's public key
assert_secret_matches() {
	secret_field "$1" tls.crt >"$TEST_TMP/crt.pem"
	secret_field "$1" tls.key >"$TEST_TMP/key.pem"
	assert_eq "$(openssl pkey -in "$TEST_TMP/key.pem" -pubout 2>&1)" \
		"$(openssl x509 -in "$TEST_TMP/crt.pem" -noout -pubkey 2>&1)" \
		"$1: the certificate is for the key in the Secret"
	assert_eq 2 "$(grep -c "BEGIN CERTIFICATE" "$TEST_TMP/crt.pem")" \
		"$1: tls.crt holds the leaf and Pebble's intermediate"
}
certificate '  commonName: shop.test
  dnsNames: [www.shop.test, shop.test]
  privateKey:
    algorithm: ECDSA
    size: 384
    encoding: PKCS8'
flow -o "$M/web-tls.yaml"
assert_rc 0 "the flow: exit 0"
assert_eq ok "$(jv verdict)" "the flow: verdict ok"
assert_eq "$M/web-tls.yaml" "$(jv secret)" "the flow names the Secret's file"
assert_eq ok "$(jv challenges.0.verdict)" "shop.test: the self check with the real token passed"
assert_eq null "$(jv challenges.0.reason)" "shop.test: no reason"
assert_true "the ingress served a real token" \
	grep -qE "GET /.well-known/acme-challenge/[A-Za-z0-9_-]{20,} HTTP/1.1\" 200" "$INGRESS_DIR/access.log"
assert_file_mode "$M/web-tls.yaml" 600
assert_secret_matches "$M/web-tls.yaml"
assert_eq "-----BEGIN PRIVATE KEY-----" "$(head -n 1 "$TEST_TMP/key.pem")" "PKCS8: tls.key is PKCS#8"
assert_contains "$(openssl pkey -in "$TEST_TMP/key.pem" -noout -text 2>&1)" "NIST CURVE: P-384" \
	"ECDSA 384: a P-384 key"
SANS=$(openssl x509 -in "$TEST_TMP/crt.pem" -noout -ext subjectAltName 2>&1 | tail -n 1 |
	sed 's/^ *//; s/DNS://g; s/, /,/g')
assert_eq "shop.test,www.shop.test" "$(printf '%s\n' "${SANS//,/$'\n'}" | sort | paste -sd,)" \
	"the certificate's names"
S=$(cat "$M/web-tls.yaml")
assert_contains "$S" 'type: kubernetes.io/tls' "type kubernetes.io/tls"
assert_contains "$S" '  name: "web-tls"' "named spec.secretName"
assert_contains "$S" "    cert-manager.io/alt-names: \"$SANS\"" "alt-names: the certificate's, in its order"
CN=$(openssl x509 -in "$TEST_TMP/crt.pem" -noout -subject -nameopt RFC2253 | sed -n 's/^subject=CN=//p')
assert_true "the certificate has a CN" [ -n "$CN" ]
assert_contains "$S" "    cert-manager.io/common-name: \"$CN\"" "common-name: the certificate's"
assert_contains "$S" '    cert-manager.io/certificate-name: "web"' "certificate-name"
assert_contains "$S" '    cert-manager.io/issuer-kind: "ClusterIssuer"' "issuer-kind"
assert_contains "$S" '    cert-manager.io/ip-sans: ""' "ip-sans, empty but present"
assert_not_contains "$S" "ca.crt" "no ca.crt: the ACME issuer returns none"
assert_eq CertificateIssued "$(jv @CertificateRequest.events.0.reason)" \
	"the CertificateRequest's event"
assert_eq "Certificate is up to date and has not expired" "$(jv @Certificate.conditions.0.message)" \
	"the Certificate's Ready condition"
assert_eq Generated "$(jv @Certificate.events.0.reason)" "a new key: event Generated"
assert_eq "Domain \"www.shop.test\" verified with \"HTTP-01\" validation" \
	"$(jv @Challenge.events.0.message)" "the Challenge's event"
SUM=$(sha256sum <"$M/web-tls.yaml")
ORDERS=$(pebble_request_count "order-plz")
flow -o "$M/web-tls.yaml"
assert_rc 4 "a second run does not overwrite: exit 4"
assert_contains "$ERR" "already exists" "says the Secret exists"
assert_eq "$SUM" "$(sha256sum <"$M/web-tls.yaml")" "the Secret is untouched"
assert_eq "$ORDERS" "$(pebble_request_count "order-plz")" "refused before ordering again"

# 8. the defaults: RSA 2048 as PKCS#1
certificate '  dnsNames: [shop.test]'
flow -o "$M/rsa.yaml"
assert_rc 0 "RSA flow: exit 0"
assert_secret_matches "$M/rsa.yaml"
assert_eq "-----BEGIN RSA PRIVATE KEY-----" "$(head -n 1 "$TEST_TMP/key.pem")" "PKCS1: RSA PRIVATE KEY"
assert_contains "$(openssl pkey -in "$TEST_TMP/key.pem" -noout -text 2>&1)" "(2048 bit" "RSA 2048 by default"

# 8b. the subject and usages reach the CSR as cert-manager builds it (Pebble
# ignores the subject: the CSR acmectl sent is checked, from --json)
certificate '  commonName: shop.test
  dnsNames: [shop.test]
  subject:
    organizations: [Beta, Acme]
    countries: [DE]
    serialNumber: "42"
  usages: [digital signature, key encipherment, server auth]
  privateKey: {algorithm: ECDSA}'
flow -o "$M/subject.yaml"
assert_rc 0 "subject and usages: exit 0"
assert_secret_matches "$M/subject.yaml"
jv csr | python3 -c 'import base64, sys; s = sys.stdin.read().strip()
sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))' |
	openssl req -inform DER -noout -text >"$TEST_TMP/csr.txt" 2>&1
assert_contains "$(cat "$TEST_TMP/csr.txt")" "Subject: C = DE, O = Acme + O = Beta, CN = shop.test, serialNumber = 42" \
	"the CSR's subject in Go's order, the organizations one RDN"
assert_contains "$(tr -d '\n' <"$TEST_TMP/csr.txt" | tr -s ' ')" \
	"X509v3 Key Usage: critical Digital Signature, Key Encipherment X509v3 Extended Key Usage: TLS Web Server Authentication" \
	"the CSR's KeyUsage (critical) and EKU"

# 9. rotationPolicy Never: the key of the existing Secret is reused
certificate '  dnsNames: [shop.test]
  privateKey:
    algorithm: ECDSA
    size: 384
    rotationPolicy: Never'
flow -o "$M/again.yaml" --secret "$M/web-tls.yaml"
assert_rc 0 "Never: exit 0"
assert_eq "$(secret_field "$M/web-tls.yaml" tls.key | openssl pkey -pubout 2>&1)" \
	"$(secret_field "$M/again.yaml" tls.key | openssl pkey -pubout 2>&1)" "Never: the same key"
assert_eq Reused "$(jv @Certificate.events.0.reason)" "Never: event Reused"
certificate '  dnsNames: [shop.test]
  privateKey:
    rotationPolicy: Never'
flow -o "$M/never-rsa.yaml" --secret "$M/web-tls.yaml"
assert_rc 2 "Never with a key that no longer fits: exit 2"
assert_contains "$ERR" "does not match" "says the key does not fit"
assert_no_file "$M/never-rsa.yaml" "no Secret written"
# a tls.key cert-manager cannot decode: DecodeFailed, then a new key
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: web-tls}\ntype: kubernetes.io/tls\ndata:\n  tls.key: %s\n' \
	"$(printf 'not a key' | base64)" >"$M/garbage-key.yaml"
flow -o "$M/regenerated.yaml" --secret "$M/garbage-key.yaml"
assert_rc 0 "Never with an undecodable tls.key: exit 0"
assert_eq DecodeFailed "$(jv @Certificate.events.0.reason)" "Never: the DecodeFailed warning"
assert_eq 'Failed to decode private key stored in Secret "web-tls" - generating new key' \
	"$(jv @Certificate.events.0.message)" "Never: cert-manager's words"
assert_eq Generated "$(jv @Certificate.events.1.reason)" "then a new key: Generated"
assert_secret_matches "$M/regenerated.yaml"

# 10. the self check fails with the real token: the challenge is never answered
certificate '  dnsNames: [other.test]'
ANSWERS=$(pebble_request_count "POST /chalZ")
flow -o "$M/other.yaml"
assert_rc 1 "self check failing: exit 1"
assert_eq wrong_status "$(jv verdict)" "self check failing: verdict"
assert_eq "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'" \
	"$(jv challenges.0.reason)" "the Challenge's reason with the real token"
assert_eq "$ANSWERS" "$(pebble_request_count "POST /chalZ")" "the challenge was not answered"
assert_no_file "$M/other.yaml" "no Secret written"

# 12. the Issuer's preferredChain picks the chain of the Secret, by the
# release's rule: up to v1.14.x only the alternates count, and any of their
# certificates' issuer CN; from v1.15.0 the top certificate's issuer CN, the
# default chain first. Pebble's chains share the leaf and the intermediate's
# name (the leaf's issuer), their intermediates' issuers are the roots.
INTERMEDIATE_CN=$(nsx server curl -sk "$PEBBLE_MGMT/intermediates/0" |
	openssl x509 -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
ROOT0_CN=$(nsx server curl -sk "$PEBBLE_MGMT/roots/0" |
	openssl x509 -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
assert_ne "" "$INTERMEDIATE_CN" "lab check: Pebble's intermediate has a CN"
cp "$M/issuer.yaml" "$M/issuer-plain.yaml"
sed "s|^    server: .*|&\n    preferredChain: \"$INTERMEDIATE_CN\"|" "$M/issuer-plain.yaml" >"$M/issuer.yaml"
certificate '  dnsNames: [shop.test]'
# top_issuer FILE: the issuer CN of the last certificate in the Secret's tls.crt
top_issuer() {
	secret_field "$1" tls.crt | awk '/BEGIN CERT/ { n++ } { print > ("'"$TEST_TMP"'/chain-" n ".pem") }'
	openssl x509 -in "$TEST_TMP/chain-2.pem" -noout -issuer -nameopt multiline |
		sed -n 's/^ *commonName *= //p'
}
flow -o "$M/chain-new.yaml"
assert_rc 0 "preferredChain naming the intermediate, v1.21.1: exit 0"
assert_eq "$ROOT0_CN" "$(top_issuer "$M/chain-new.yaml")" \
	"v1.21.1: no top certificate is issued by the intermediate: the default chain"
flow -o "$M/chain-old.yaml" --cert-manager-version v1.14.5
assert_rc 0 "preferredChain naming the intermediate, v1.14.5: exit 0"
assert_ne "$ROOT0_CN" "$(top_issuer "$M/chain-old.yaml")" \
	"v1.14.5: the alternate holds a certificate issued by the intermediate: the alternate chain"
assert_ne "" "$(top_issuer "$M/chain-old.yaml")" "v1.14.5: the alternate chain's top has an issuer"
cp "$M/issuer-plain.yaml" "$M/issuer.yaml"

# 11. the CA refuses after the self check passed (its VA cannot fetch the
# token)
stop_pid "$WEBROOT_PID"
certificate '  dnsNames: [fresh.shop.test]'
flow -o "$M/refused.yaml"
assert_rc 1 "the CA refusing: exit 1"
assert_eq ca_refused "$(jv verdict)" "the CA refusing: verdict"
assert_eq ok "$(jv challenges.0.verdict)" "the self check itself passed"
assert_contains "$(jv @Challenge.reason)" \
	"Error accepting authorization: acme: authorization error for fresh.shop.test: " "cert-manager's reason"
assert_eq invalid "$(jv @Challenge.state)" "the Challenge is invalid"
assert_eq invalid "$(jv @Order.state)" "the Order takes the CA's state"
assert_eq "Failed to wait for order resource \"web-xxxxx-NNNNNNNNNN\" to become ready: order is in \"invalid\" state: " \
	"$(jv @CertificateRequest.conditions.0.message)" "the CertificateRequest's message, ending in ': '"
assert_eq OrderFailed "$(jv @CertificateRequest.events.0.reason)" "the CertificateRequest's event"
assert_eq "The certificate request has failed to complete and will be retried: Failed to wait for order resource \"web-xxxxx-NNNNNNNNNN\" to become ready: order is in \"invalid\" state: " \
	"$(jv @Certificate.conditions.0.message)" "the Certificate's Issuing message"
assert_contains "$(jv issue_error)" "validation of fresh.shop.test failed" \
	"acmectl's own line stays as the cause"
assert_no_file "$M/refused.yaml" "no Secret written"

test_done
