#!/bin/bash
# account-export.sh - `acmectl account export --cert-manager` against Pebble,
# and back through acmectl's own import path: the exported Secret and
# ClusterIssuer (or Issuer) given to `diagnose --from-issuer/--secret`, with
# no --server, --ca-bundle or state, find the same account at the same
# server (step account ok, no account_host_mismatch); the key in the Secret
# is PKCS#1 and has the public key and account of the state's key.pem. -o
# creates a 0600 file and never overwrites or follows a symlink. Refused,
# exit 2 with one line and no file: no account, an EC key, a deactivated
# account, a stored account without URL or registered at another directory
# of the same host, bad Kubernetes names.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh" # json_step; no namespace is used

pebble_start
STATE="$TEST_TMP/state"
ACCT=$(pebble_account_dir "$STATE")
M="$TEST_TMP/manifests"
mkdir -p "$M"

# assert_refused DESC FRAGMENT: the last run exited 2 with one line
# containing FRAGMENT on stderr and nothing on stdout.
assert_refused() {
	assert_rc 2 "$1"
	assert_contains "$ERR" "$2" "$1: says why"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "$1: one line"
	assert_eq "" "$OUT" "$1: nothing on stdout"
}

# secret_key FILE: the PEM in the Secret's data."tls.key" of an export.
secret_key() {
	sed -n 's/^  tls\.key: "\(.*\)"$/\1/p' "$1" | base64 -d
}

# no account yet
acme account export --cert-manager -o "$M/none.yaml"
assert_refused "no account" "no account for $PEBBLE_DIR_URL in $STATE"
assert_no_file "$M/none.yaml"

acme account register --email admin@acmectl.example --agree-tos --key-type rsa2048
assert_rc 0 "RSA account registered"
URL=$(json_field "$ACCT/account.json" url)
HOSTPORT=${PEBBLE_DIR_URL#https://}
HOSTPORT=${HOSTPORT%%/*}
NAME=${HOSTPORT/:/-}

# to standard output: both documents, defaults
acme account export --cert-manager
assert_rc 0 "export to standard output"
printf '%s\n' "$OUT" >"$M/stdout.yaml"
assert_contains "$OUT" "kind: Secret" "a Secret"
assert_contains "$OUT" "kind: ClusterIssuer" "a ClusterIssuer by default"
assert_contains "$OUT" "  name: \"$NAME\"" "default name from the server's host and port"
assert_contains "$OUT" "  name: \"$NAME-account-key\"
  namespace: \"cert-manager\"" "the Secret in cert-manager's namespace"
assert_contains "$OUT" "ingressClassName: \"nginx\"" "default solver class"
assert_contains "$OUT" "acmectl/account-url: \"$URL\"" "the account URL as annotation"
assert_contains "$OUT" "# The ACME account $URL" "the account URL as comment"
assert_contains "$OUT" "server: \"$PEBBLE_DIR_URL\"" "the registration server"
assert_contains "$OUT" "email: \"admin@acmectl.example\"" "the account's email"
assert_contains "$OUT" "disableAccountKeyGeneration: true" "no new key when the Secret is missing"
assert_contains "$OUT" "caBundle: \"$(base64 -w0 <"$PEBBLE_CA")\"" "--ca-bundle as caBundle"
assert_contains "$ERR" "caBundle holds $PEBBLE_CA" "a note says caBundle replaces the trust store"
secret_key "$M/stdout.yaml" >"$M/key.pem"
assert_eq "-----BEGIN RSA PRIVATE KEY-----" "$(head -n 1 "$M/key.pem")" "the key as PKCS#1 PEM"
assert_eq "$(pubkey_of "$ACCT/key.pem")" "$(pubkey_of "$M/key.pem")" "the Secret holds the account key"

# -o: a new 0600 file with the same text, a summary on stdout
acme account export --cert-manager -o "$M/export.yaml"
assert_rc 0 "export -o FILE"
assert_file_mode "$M/export.yaml" 600
assert_eq "$(sha_of "$M/stdout.yaml")" "$(sha_of "$M/export.yaml")" "-o writes what stdout got"
assert_eq "wrote $M/export.yaml: Secret cert-manager/$NAME-account-key and ClusterIssuer $NAME for the account $URL" \
	"$OUT" "the summary line"
acme -q account export --cert-manager -o "$M/quiet.yaml"
assert_rc 0 "-q export"
assert_eq "" "$OUT$ERR" "-q: no output"

# never overwritten, never through a symlink
SUM=$(sha_of "$M/export.yaml")
acme account export --cert-manager -o "$M/export.yaml" --name other
assert_refused "existing -o FILE" "$M/export.yaml already exists"
assert_eq "$SUM" "$(sha_of "$M/export.yaml")" "existing file untouched"
echo precious >"$M/target"
ln -s target "$M/link.yaml"
acme account export --cert-manager -o "$M/link.yaml"
assert_refused "-o FILE is a symlink" "$M/link.yaml already exists"
assert_eq precious "$(cat "$M/target")" "the symlink's target untouched"
ln -s nowhere "$M/dangling.yaml"
acme account export --cert-manager -o "$M/dangling.yaml"
assert_refused "-o FILE is a dangling symlink" "already exists"
assert_no_file "$M/nowhere"
acme account export --cert-manager -o "$M/missing/x.yaml"
assert_rc 4 "-o FILE in a missing directory"
assert_no_file "$M/missing"

# --json summary
acme --json account export --cert-manager -o "$M/json.yaml" --name lab-acme
assert_rc 0 "export --json -o FILE"
assert_eq "$M/json.yaml|ClusterIssuer|lab-acme|cert-manager|lab-acme-account-key|$PEBBLE_DIR_URL|$URL" \
	"$(for k in file kind name namespace secret server url; do json_field "$OUT" $k; done | paste -sd'|')" \
	"--json fields"

# the round trip: acmectl reads its export back, and only the export: no
# --server, no --ca-bundle, an empty state directory
run_acmectl --state-dir "$TEST_TMP/empty" --json diagnose --timeout 5 \
	--from-issuer "$M/export.yaml" --secret "$M/export.yaml"
assert_rc 0 "diagnose the export"
assert_eq ok "$(json_field "$OUT" verdict)" "verdict ok"
assert_eq "ok|ok|ok|ok" "$(for s in config tls nonce account; do json_step "$OUT" $s status; done | paste -sd'|')" \
	"steps config, tls (the caBundle), nonce and account ok"
assert_contains "$(json_step "$OUT" config detail)" "$PEBBLE_DIR_URL" "the server read back"
assert_contains "$(json_step "$OUT" config detail)" "RSA 2048 from Secret $NAME-account-key" \
	"the key read back from the Secret"
assert_contains "$(json_step "$OUT" account detail)" "the key has the account $URL" \
	"the same account found"
assert_not_contains "$(json_field "$OUT" findings)" "account_host_mismatch" \
	"no 'registration host differ' trap: the server is the registration's"
assert_eq "" "$(json_field "$OUT" findings)" "no findings at all"
# the key in the Secret signs for the same account (account show looks it up)
acme --json account show --account-key "$M/key.pem"
assert_rc 0 "account show with the exported key"
assert_eq "$URL" "$(json_field "$OUT" url)" "the exported key has the account's URL"

# an Issuer in a namespace, read back the same way
acme account export --cert-manager --kind Issuer --namespace team-a --name lab \
	--solver-class traefik -o "$M/issuer.yaml"
assert_rc 0 "export an Issuer"
assert_eq 2 "$(grep -c '^  namespace: "team-a"$' "$M/issuer.yaml")" "Issuer and Secret in team-a"
assert_contains "$(cat "$M/issuer.yaml")" "ingressClassName: \"traefik\"" "--solver-class"
run_acmectl --state-dir "$TEST_TMP/empty" --json diagnose --timeout 5 \
	--from-issuer "$M/issuer.yaml" --secret "$M/issuer.yaml"
assert_eq ok "$(json_field "$OUT" verdict)" "the Issuer export diagnoses ok"
assert_eq ok "$(json_step "$OUT" account status)" "the Issuer export: step account ok"

# without --ca-bundle there is no caBundle
run_acmectl --server "$PEBBLE_DIR_URL" --state-dir "$STATE" account export --cert-manager
assert_rc 0 "export without --ca-bundle"
assert_not_contains "$OUT" "caBundle" "no caBundle without --ca-bundle"

# bad names: one line, exit 2, no file
acme account export --cert-manager --name Lab_Acme -o "$M/bad.yaml"
assert_refused "--name with capitals" "issuer name \"Lab_Acme\" is not a valid Kubernetes name (RFC 1123 subdomain)"
assert_no_file "$M/bad.yaml"
acme account export --cert-manager --namespace "$(printf 'n%.0s' {1..64})" -o "$M/bad.yaml"
assert_refused "--namespace of 64 characters" "at most 63 are allowed"
assert_no_file "$M/bad.yaml"
acme account export --cert-manager --name "$(printf 'a%.0s' {1..250})" -o "$M/bad.yaml"
assert_refused "--name too long for the Secret's name" "Secret name \"aaaa"
assert_no_file "$M/bad.yaml"
acme account export --cert-manager --solver-class 'ingress nginx'
assert_refused "--solver-class with a space" "ingress class \"ingress nginx\""
acme account export --name lab
assert_refused "without --cert-manager" "account export needs --cert-manager"

# a stored account without URL: asks for account show first
cp "$ACCT/account.json" "$TEST_TMP/account.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("url"); json.dump(d, open(sys.argv[1], "w"))' \
	"$ACCT/account.json"
acme account export --cert-manager
assert_refused "no URL stored" "run 'acmectl account show' once"
cp "$TEST_TMP/account.json" "$ACCT/account.json"

# registered at another directory of the same host (one account directory)
acme --server "${PEBBLE_DIR_URL%/dir}/other/dir" account export --cert-manager
assert_refused "another directory of the same host" \
	"was registered at $PEBBLE_DIR_URL, not ${PEBBLE_DIR_URL%/dir}/other/dir"

# an EC account key: cert-manager would reject it
STATE="$TEST_TMP/state-ec" acme account register --email ec@acmectl.example --agree-tos
assert_rc 0 "EC account registered"
STATE="$TEST_TMP/state-ec" acme account export --cert-manager -o "$M/ec.yaml"
assert_refused "an EC account key" "cert-manager accepts only RSA account keys"
assert_contains "$ERR" "account rollover --key-type rsa2048" "the way out is named"
assert_no_file "$M/ec.yaml"

# a deactivated account
acme account deactivate --yes
assert_rc 0 "account deactivated"
acme account export --cert-manager -o "$M/gone.yaml"
assert_refused "a deactivated account" "the account $URL is deactivated"
assert_no_file "$M/gone.yaml"

test_done
