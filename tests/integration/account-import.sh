#!/bin/bash
# account-import.sh - `acmectl account import --cert-manager` against Pebble:
# an account exported to cert-manager manifests comes back into another
# state directory (server from the issuer, key from its Secret, in the same
# file or in --secret) and issues there with the same account URL, found
# with onlyReturnExisting; importing it again changes nothing. A key with
# no account at the server is refused (exit 1) and never registered; a
# different key kept for the server, a --server the issuer contradicts and
# a missing Secret are refused (exit 2). Nothing is written when refused.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

# newAccount requests are counted: no badNonce retries
export PEBBLE_WFE_NONCEREJECT=0
pebble_start
WWW="$TEST_TMP/www"
webroot_start "$WWW" "$PEBBLE_HTTP_PORT"
M="$TEST_TMP/manifests"
mkdir -p "$M"

# import STATE ARGS...: account import into STATE, the server from the issuer.
import() {
	local state=$1
	shift
	run_acmectl --ca-bundle "$PEBBLE_CA" --state-dir "$state" \
		account import --cert-manager "$@"
}
# accounts_made: how many newAccount requests Pebble has answered.
accounts_made() { grep -c 'POST /sign-me-up -> calling handler()' "$PEBBLE_LOG" || true; }

STATE="$TEST_TMP/host-a"
acme account register --email admin@acmectl.example --agree-tos --key-type rsa2048
assert_rc 0 "an RSA account on host a"
A=$(pebble_account_dir "$TEST_TMP/host-a")
URL=$(json_field "$A/account.json" url)
acme account export --cert-manager -o "$M/le.yaml"
assert_rc 0 "exported as Secret and ClusterIssuer"

# into a fresh state: one file holds both documents
B=$(pebble_account_dir "$TEST_TMP/host-b")
made=$(accounts_made)
import "$TEST_TMP/host-b" --from-issuer "$M/le.yaml"
assert_rc 0 "import from the exported file"
assert_contains "$OUT" "account imported: $URL (server $PEBBLE_DIR_URL, key from Secret " \
	"says which account, server and Secret"
assert_eq "$(pubkey_of "$A/key.pem")" "$(pubkey_of "$B/key.pem")" "the Secret's key is kept"
assert_file_mode "$B/key.pem" 600
assert_eq "$URL" "$(json_field "$B/account.json" url)" "account.json holds the same URL"
assert_eq "$PEBBLE_DIR_URL" "$(json_field "$B/account.json" directory)" \
	"account.json holds the issuer's server"
assert_eq "$((made + 1))" "$(accounts_made)" "one newAccount request (onlyReturnExisting)"

STATE="$TEST_TMP/host-b"
acme issue --webroot "$WWW" imported.example
assert_rc 0 "issue with the imported account"
acme account show --json
assert_eq "$URL" "$(json_field "$OUT" url)" "account show: the same account"

before=$(sha256sum "$B/key.pem")
import "$TEST_TMP/host-b" --from-issuer "$M/le.yaml" --json
assert_rc 0 "importing again"
assert_eq "$URL" "$(json_field "$OUT" url)" "--json gives the URL"
assert_eq "$before" "$(sha256sum "$B/key.pem")" "key.pem unchanged"

# issuer and Secret in two files
awk '/^---/ { n++ } n == 1' "$M/le.yaml" >"$M/secret-only.yaml"
awk '/^---/ { n++ } n != 1' "$M/le.yaml" >"$M/issuer-only.yaml"
assert_contains "$(cat "$M/secret-only.yaml")" "kind: Secret" "lab check: the Secret alone"
assert_not_contains "$(cat "$M/issuer-only.yaml")" "kind: Secret" "lab check: the issuer alone"
import "$TEST_TMP/host-c" --from-issuer "$M/issuer-only.yaml" --secret "$M/secret-only.yaml"
assert_rc 0 "import with --secret"
assert_eq "$URL" "$(json_field "$(pebble_account_dir "$TEST_TMP/host-c")/account.json" url)" \
	"--secret: the same account"

# refused, and nothing written
import "$TEST_TMP/host-d" --from-issuer "$M/issuer-only.yaml"
assert_rc 2 "the issuer's file holds no Secret"
assert_contains "$ERR" "issuer-only.yaml" "names the file without the Secret"
assert_false "nothing kept" test -e "$TEST_TMP/host-d/accounts"

run_acmectl --server https://localhost:1/dir --ca-bundle "$PEBBLE_CA" \
	--state-dir "$TEST_TMP/host-d" account import --cert-manager --from-issuer "$M/le.yaml"
assert_rc 2 "--server contradicting the issuer"
assert_contains "$ERR" "server is $PEBBLE_DIR_URL, not --server https://localhost:1/dir" \
	"names both servers"

openssl genrsa -traditional -out "$TEST_TMP/unknown.pem" 2048 2>/dev/null
sed -e "s|^  tls\.key: \".*\"$|  tls.key: \"$(base64 -w0 "$TEST_TMP/unknown.pem")\"|" \
	"$M/le.yaml" >"$M/unknown.yaml"
made=$(accounts_made)
import "$TEST_TMP/host-d" --from-issuer "$M/unknown.yaml"
assert_rc 1 "a key with no account at the server"
assert_contains "$ERR" "accountDoesNotExist" "the server's problem"
assert_eq "$((made + 1))" "$(accounts_made)" "only the lookup: no account registered"
assert_false "nothing kept for an unknown key" test -e "$(pebble_account_dir "$TEST_TMP/host-d")/key.pem"

STATE="$TEST_TMP/host-e"
acme account register --email other@acmectl.example --agree-tos --key-type rsa2048
acme account export --cert-manager -o "$M/other.yaml"
assert_rc 0 "another account exported"
before=$(sha256sum "$B/key.pem" "$B/account.json")
import "$TEST_TMP/host-b" --from-issuer "$M/other.yaml"
assert_rc 2 "another key than the one kept"
assert_contains "$ERR" "already holds a different account key" "says why"
assert_eq "$before" "$(sha256sum "$B/key.pem" "$B/account.json")" "the kept account is untouched"

test_done
