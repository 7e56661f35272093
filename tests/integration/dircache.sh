#!/bin/bash
# dircache.sh - the directory kept per server in the state: written once an
# account exists, used instead of asking the CA (no GET /dir) while less
# than a day old; asked again, and the file replaced, when it is too old or
# anything in it is wrong (not JSON, huge, another server's, a plain-http or
# another host's URL): the file is the state's, not the CA's, so it is read
# as hostile input. A URL of it that answers 404 (moved) makes acmectl ask
# the CA for its directory and send the request again.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
KEPT="$(pebble_account_dir "$TEST_TMP/state")/directory.json"
HOSTPORT=${PEBBLE_DIR_URL#https://}
HOSTPORT=${HOSTPORT%%/*}

dir_gets() { pebble_request_count 'GET /dir '; }

acme --server "https://$HOSTPORT/no-such-dir" account register \
	--email admin@acmectl.example --agree-tos
assert_rc 2 "register at a URL that is no directory"
assert_no_file "$STATE/accounts" "a run that keeps no account keeps no directory"
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register"
assert_file_exists "$KEPT" "the directory is kept with the new account"
rm -f "$KEPT"
acme issue --webroot "$WWW" kept.example
assert_rc 0 "issue"
assert_file_exists "$KEPT" "the next run keeps the directory"
assert_file_mode "$KEPT" 644
assert_eq "$PEBBLE_DIR_URL" "$(json_field "$KEPT" url)" "it names the server URL"
assert_eq "https://$HOSTPORT/order-plz" "$(json_field "$KEPT" directory.newOrder)" "it holds the directory"
assert_true "it says when it was fetched (now)" test \
	$(($(date +%s) - $(date -u -d "$(json_field "$KEPT" fetched)" +%s))) -le 120

# used: no directory request, and the file is not rewritten
SHA=$(sha_of "$KEPT")
BEFORE=$(dir_gets)
acme issue --force --webroot "$WWW" kept.example
assert_rc 0 "issue --force with the directory kept"
assert_eq "$BEFORE" "$(dir_gets)" "no directory request"
assert_eq "$SHA" "$(sha_of "$KEPT")" "the kept file is left as it is"

# check_refetched WHAT WHY: after the kept file was spoiled, a run asks the
# CA, says why at -v, succeeds and keeps a good file again
check_refetched() {
	local before
	before=$(dir_gets)
	acme -v issue --force --webroot "$WWW" kept.example
	assert_rc 0 "$1: the run still succeeds"
	assert_contains "$ERR" "not using the kept directory" "$1: -v says the kept one is not used"
	assert_contains "$ERR" "$2" "$1: and why"
	assert_eq $((before + 1)) "$(dir_gets)" "$1: the CA is asked for its directory"
	assert_eq "https://$HOSTPORT/order-plz" "$(json_field "$KEPT" directory.newOrder)" \
		"$1: a good directory is kept again"
}

# spoil KEY VALUE: sets directory.KEY (or the top-level KEY when it has no
# dot) in the kept file
spoil() {
	python3 - "$KEPT" "$1" "$2" <<'PY'
import json, sys
path, key, value = sys.argv[1:]
doc = json.load(open(path))
where = doc
if key.startswith("directory."):
    where, key = doc["directory"], key[len("directory."):]
where[key] = json.loads(value)
json.dump(doc, open(path, "w"))
PY
}

echo 'not json {' >"$KEPT"
check_refetched "not JSON" "not a kept directory"
head -c 100000 /dev/zero | tr '\0' ' ' >"$KEPT"
check_refetched "huge" "larger than"
spoil directory.newOrder "\"http://$HOSTPORT/order-plz\""
check_refetched "plain http" "not an https URL of the server's host"
spoil directory.newNonce "\"https://127.0.0.2:${HOSTPORT#*:}/nonce-plz\""
check_refetched "another host" "not an https URL of the server's host"
spoil url "\"${PEBBLE_DIR_URL%/dir}/other/dir\""
check_refetched "another server's" "kept for another server URL"
spoil fetched "\"$(date -u -d '-25 hours' +%Y-%m-%dT%H:%M:%SZ)\""
check_refetched "older than a day" "fetched a day ago or more"
spoil fetched "\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\""
check_refetched "fetched in the future" "no usable fetch time"

# moved: URLs of the CA's host that answer 404 make acmectl ask the CA
# for its directory once and send the request again there
for key in newOrder newNonce; do
	spoil "directory.$key" "\"https://$HOSTPORT/moved-$key\""
	BEFORE=$(dir_gets)
	acme -v issue --force --webroot "$WWW" kept.example
	assert_rc 0 "$key moved: the run succeeds"
	assert_contains "$ERR" "the kept one did not work" "$key moved: -v says why the directory is asked"
	assert_eq $((BEFORE + 1)) "$(dir_gets)" "$key moved: the directory is asked once"
	assert_eq 1 "$(grep -c "/moved-$key -> 404 " <<<"$ERR" || true)" \
		"$key moved: the old URL was tried once (Pebble answered 404)"
	assert_eq "https://$HOSTPORT/order-plz" "$(json_field "$KEPT" directory.newOrder)" \
		"$key moved: the new directory is kept"
done
assert_cert_issued "$TEST_TMP/state/certs/kept.example" kept.example

# a kept file that is not a regular file is not read
rm "$KEPT"
mkfifo "$KEPT"
BEFORE=$(dir_gets)
acme issue --force --webroot "$WWW" kept.example
assert_rc 0 "a FIFO in its place: the run succeeds (and does not hang)"
assert_eq $((BEFORE + 1)) "$(dir_gets)" "a FIFO in its place: the CA is asked"
test_done
