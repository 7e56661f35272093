#!/bin/bash
# diagnose-account.sh - an account key registered at one Pebble (acme-a)
# while the ClusterIssuer now points at another (acme-b), loaded the way
# cert-manager keeps it: a ClusterIssuer manifest (server, email, caBundle,
# privateKeySecretRef, status.acme.uri at acme-a) and a Secret holding the
# RSA key as PKCS#1 PEM, base64 in data."tls.key". Expected: verdict
# account_not_found + finding account_host_mismatch; against acme-a itself
# ok without either; the same as JSON manifests and as one multi-document
# YAML file; an EC or Ed25519 key in the Secret is reported as not RSA,
# data that is no PEM with cert-manager's condition, RSA 1024 as sent; an Issuer
# that is Ready with the same host, e-mail and key: cert-manager makes no
# request (setup_skipped), from v1.12.0 only with this key's hash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/cluster.sh"
netns_lab_begin
netns_client_server
netns_hosts client "$SERVER_IP acme-a.test acme-b.test"
netns_pebble_start server "$SERVER_IP" 14001 acme-b.test
URL_B=$PEBBLE_DIR_URL
netns_pebble_start server "$SERVER_IP" 14000 acme-a.test
URL_A=$PEBBLE_DIR_URL
CA=$PEBBLE_CA
T=2
M="$TEST_TMP/manifests"
mkdir -p "$M"

# the key, as cert-manager generates it: RSA 2048, PKCS#1 PEM
openssl genrsa -traditional -out "$M/account.pem" 2048 2>/dev/null
assert_eq "-----BEGIN RSA PRIVATE KEY-----" "$(head -n 1 "$M/account.pem")" "lab check: PKCS#1 key"
netns_acmectl client --server "$URL_A" --ca-bundle "$CA" --state-dir "$TEST_TMP/state" \
	account register --agree-tos --email admin@acmectl.example --account-key "$M/account.pem"
assert_rc 0 "account registered at acme-a"
netns_acmectl client --server "$URL_A" --ca-bundle "$CA" --state-dir "$TEST_TMP/state" --json account show
ACCOUNT_URL=$(json_field "$OUT" url)
assert_contains "$ACCOUNT_URL" "https://acme-a.test:14000/" "the account URL is at acme-a"

b64() { base64 -w0 <"$1"; }

# cluster_issuer_at SERVER: cluster_issuer's ClusterIssuer lab-acme (caBundle
# $CA) at SERVER, printed
cluster_issuer_at() {
	PEBBLE_DIR_URL=$1 cluster_issuer "$M/cluster-issuer.yaml" "" "$CA"
	cat "$M/cluster-issuer.yaml"
}

# issuer_yaml SERVER: a ClusterIssuer as `kubectl get clusterissuer -o yaml`
# prints it, status.acme.uri at acme-a
issuer_yaml() {
	cluster_issuer_at "$1"
	cat <<YAML
status:
  acme:
    uri: $ACCOUNT_URL
    lastRegisteredEmail: admin@acmectl.example
  conditions:
  - type: Ready
    status: "False"
    reason: ErrRegisterACMEAccount
    message: 'Failed to register ACME account: 400 urn:ietf:params:acme:error:accountDoesNotExist'
YAML
}

# secret_yaml KEYFILE: the Secret cert-manager keeps the account key in
secret_yaml() {
	cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: lab-acme-account-key
  namespace: cert-manager
type: Opaque
data:
  tls.key: $(b64 "$1")
YAML
}

issuer_yaml "$URL_B" >"$M/issuer-b.yaml"
secret_yaml "$M/account.pem" >"$M/secret.yaml"

# the key is registered at acme-a, the issuer points at acme-b
netns_diagnose client --from-issuer "$M/issuer-b.yaml" --secret "$M/secret.yaml" --timeout $T
assert_verdict account_not_found "key registered elsewhere"
assert_finding account_host_mismatch "key registered elsewhere"
assert_faster 4000 "key registered elsewhere: fast"
assert_eq fail "$(json_step "$OUT" account status)" "step account failed"
assert_contains "$OUT" "acme-a.test" "the report names the registration host"

# the same key against acme-a: registered, hosts equal
issuer_yaml "$URL_A" >"$M/issuer-a.yaml"
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret.yaml" --timeout $T
assert_verdict ok "key registered at the issuer's server"
assert_no_finding account_host_mismatch "same host"
assert_no_finding account_not_found "same host"
assert_eq ok "$(json_step "$OUT" account status)" "step account ok"
assert_contains "$OUT" "$ACCOUNT_URL" "the report shows the account URL found"

# JSON manifests (kubectl -o json), and one multi-document YAML file
cat >"$M/issuer-b.json" <<JSON
{
  "apiVersion": "cert-manager.io/v1",
  "kind": "ClusterIssuer",
  "metadata": {"name": "lab-acme"},
  "spec": {
    "acme": {
      "server": "$URL_B",
      "email": "admin@acmectl.example",
      "caBundle": "$(b64 "$CA")",
      "privateKeySecretRef": {"name": "lab-acme-account-key", "key": "tls.key"},
      "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}]
    }
  },
  "status": {"acme": {"uri": "$ACCOUNT_URL"}}
}
JSON
cat >"$M/secret.json" <<JSON
{
  "apiVersion": "v1",
  "kind": "Secret",
  "metadata": {"name": "lab-acme-account-key", "namespace": "cert-manager"},
  "type": "Opaque",
  "data": {"tls.key": "$(b64 "$M/account.pem")"}
}
JSON
assert_eq "$URL_B" "$(json_field "$M/issuer-b.json" spec.acme.server)" "lab check: issuer-b.json"
netns_diagnose client --from-issuer "$M/issuer-b.json" --secret "$M/secret.json" --timeout $T
assert_verdict account_not_found "JSON manifests"
assert_finding account_host_mismatch "JSON manifests"

{ echo "---"; secret_yaml "$M/account.pem"; echo "---"; issuer_yaml "$URL_B"; } >"$M/all.yaml"
netns_diagnose client --from-issuer "$M/all.yaml" --secret "$M/all.yaml" --timeout $T
assert_verdict account_not_found "one multi-document YAML file"
assert_finding account_host_mismatch "one multi-document YAML file"

# the key as --account-key and the URL as --account-url, without manifests
netns_diagnose client --server "$URL_B" --ca-bundle "$CA" --account-key "$M/account.pem" \
	--account-url "$ACCOUNT_URL" --timeout $T
assert_verdict account_not_found "--account-key/--account-url"
assert_finding account_host_mismatch "--account-key/--account-url"

# an EC key in the Secret: cert-manager rejects it
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$M/ec.pem" 2>/dev/null
secret_yaml "$M/ec.pem" >"$M/secret-ec.yaml"
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret-ec.yaml" --timeout $T
assert_ne ok "$VERDICT" "EC key in the Secret is not ok for cert-manager"
assert_contains "$OUT" "not of type RSA" "EC key: the report quotes cert-manager's complaint"

# keys acmectl itself refuses are cert-manager's to judge: an Ed25519 key
# (not RSA), data that is no PEM (invalid, not retried), RSA 1024 (sent)
openssl genpkey -algorithm ED25519 -out "$M/ed.pem" 2>/dev/null
secret_yaml "$M/ed.pem" >"$M/secret-ed.yaml"
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret-ed.yaml" --timeout $T
assert_verdict config_invalid "Ed25519 key in the Secret"
assert_eq 'ACME private key in "lab-acme-account-key" is not of type RSA' "$CM_MESSAGE" \
	"Ed25519 key: cert-manager's condition"
echo "this is not a key" >"$M/junk.txt"
secret_yaml "$M/junk.txt" >"$M/secret-junk.yaml"
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret-junk.yaml" --timeout $T
assert_verdict config_invalid "no PEM in the Secret: a prediction, not exit 2"
assert_eq "Account private key is invalid: error decoding private key PEM block: no PEM data was found in given input" \
	"$CM_MESSAGE" "no PEM: cert-manager's condition"
assert_eq ErrVerifyACMEAccount "$(json_field "$OUT" cert_manager.reason)" "no PEM: reason"
# a Secret without the data key is invalid data for cert-manager (not
# NotFound: no key is generated), named with the Secret's namespace
cat >"$M/secret-nokey.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: lab-acme-account-key
  namespace: cm-lab
type: Opaque
data:
  ca.crt: $(b64 "$CA")
YAML
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret-nokey.yaml" --timeout $T
assert_eq 1 "$RC" "no data key: a prediction (exit 1), not bad input (exit 2)"
assert_verdict config_invalid "no data key in the Secret"
assert_eq "Account private key is invalid: no data for \"tls.key\" in secret 'cm-lab/lab-acme-account-key'" \
	"$CM_MESSAGE" "no data key: cert-manager's condition"
assert_eq ErrVerifyACMEAccount "$(json_field "$OUT" cert_manager.reason)" "no data key: reason"
openssl genrsa -traditional -out "$M/small.pem" 1024 2>/dev/null
secret_yaml "$M/small.pem" >"$M/secret-small.yaml"
netns_diagnose client --from-issuer "$M/issuer-a.yaml" --secret "$M/secret-small.yaml" --timeout $T
assert_finding key_rsa_small "RSA 1024 in the Secret: cert-manager sends it"
assert_ne config_invalid "$VERDICT" "RSA 1024: not a config error for cert-manager"

# the skip path: an Issuer that is Ready, its account on the server's host,
# the same e-mail and (v1.12+) this key's hash: cert-manager sends nothing,
# so even a closed port leaves it Ready
KEY_HASH=$(openssl rsa -in "$M/account.pem" -outform DER -traditional 2>/dev/null |
	openssl dgst -sha256 -binary | base64 -w0)
ready_issuer_yaml() {
	cluster_issuer_at https://acme-b.test:14009/dir
	cat <<YAML
status:
  acme:
    uri: https://acme-b.test:14009/my-account/1
    lastRegisteredEmail: admin@acmectl.example
    lastPrivateKeyHash: $1
  conditions:
  - type: Ready
    status: "True"
    reason: ACMEAccountRegistered
    message: The ACME account was registered with the ACME server
YAML
}
ready_issuer_yaml "$KEY_HASH" >"$M/issuer-ready.yaml"
netns_diagnose client --from-issuer "$M/issuer-ready.yaml" --secret "$M/secret.yaml" --timeout $T
assert_verdict connect_refused "Ready Issuer, closed port"
assert_finding setup_skipped "Ready Issuer, same host, e-mail and key"
assert_eq ACMEAccountRegistered "$(json_field "$OUT" cert_manager.reason)" \
	"skip path: cert-manager stays Ready"
assert_contains "$(json_field "$OUT" advice)" "shows only when it registers again" \
	"skip path: advice says cert-manager skipped the steps"
ready_issuer_yaml "another-keys-hash" >"$M/issuer-ready-other.yaml"
netns_diagnose client --from-issuer "$M/issuer-ready-other.yaml" --secret "$M/secret.yaml" \
	--timeout $T --cert-manager-version 1.12.0
assert_no_finding setup_skipped "v1.12.0, lastPrivateKeyHash of another key"
assert_eq ErrRegisterACMEAccount "$(json_field "$OUT" cert_manager.reason)" \
	"v1.12.0, another key: cert-manager registers and fails"
netns_diagnose client --from-issuer "$M/issuer-ready-other.yaml" --secret "$M/secret.yaml" \
	--timeout $T --cert-manager-version 1.11.0
assert_finding setup_skipped "v1.11.0 does not look at the key's hash"

test_done
