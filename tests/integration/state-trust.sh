#!/bin/bash
# state-trust.sh - as root, acmectl trusts the state directory, the webroot
# and the config file only when nobody else could have planted anything in
# them. A second local user (nobody, through setpriv) plants a certificate
# with a hook in a world-writable and in a foreign-owned state directory; a
# group-writable certs/, an archive/NAME symlinked elsewhere and a
# certs/NAME pointing outside the state are planted by hand. Each must end
# with exit 4 and one line naming the path (and owner and mode), the hook
# not run (it would create a marker file), and nothing outside changed. A
# symlinked acme-challenge to another user's directory and a world-writable
# or foreign --config or /etc/acmectl/acmectl.conf (in a private mount
# namespace) are refused the same way. The hook and the symlink that are
# trusted still work, so the refusals are not blanket ones.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

require_root
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
pebble_start_webroot
MARK="$TEST_TMP/hook-ran"
# nobody must reach the directories it plants in, and nothing else
chmod 711 "$TEST_TMP"

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# assert_refused WHAT WORDS...: exit 4, one line on stderr holding each of
# WORDS, and the hook did not run.
assert_refused() {
	local what=$1 word
	shift
	assert_rc 4 "$what is refused"
	assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "$what: one line"
	for word in "$@"; do
		assert_contains "$ERR" "$word" "$what: the line says \"$word\""
	done
	assert_no_file "$MARK" "$what: the hook did not run"
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos one.example
assert_rc 0 "issue one.example"

# The trusted case: a remembered pre-hook runs when something is due, so a
# missing marker below means refused, not broken.
acme renew --days 2000 --pre-hook "touch '$MARK'" one.example
assert_rc 0 "renew with a pre-hook in a trusted state"
assert_file_exists "$MARK"
rm -f "$MARK"
assert_eq "touch '$MARK'" "$(json_field "$STATE/certs/one.example/issuance.json" hooks.pre)" \
	"the pre-hook is remembered"
LIVE=$(readlink "$STATE/certs/one.example")

# plant DIR: as nobody, a certificate "evil" whose remembered hooks would
# create the marker, inside DIR (copied from one.example, so it is due).
plant() {
	local dir=$1
	as_nobody mkdir -p "$dir/certs" "$dir/archive/evil/1"
	as_nobody sh -c "cat >'$dir/archive/evil/1/cert.pem'" <"$STATE/certs/one.example/cert.pem"
	as_nobody sh -c "cat >'$dir/archive/evil/1/issuance.json'" <<EOF
{"names": ["evil.example"], "server": "$PEBBLE_DIR_URL",
 "hooks": {"pre": "touch '$MARK'", "deploy": "touch '$MARK'", "post": "touch '$MARK'"}}
EOF
	as_nobody ln -s ../archive/evil/1 "$dir/certs/evil"
}

# A world-writable state directory, where nobody planted a certificate.
OPEN="$TEST_TMP/open-state"
mkdir -m 0777 "$OPEN"
chmod 0777 "$OPEN"
plant "$OPEN"
SNAP=$(state_snapshot "$OPEN")
STATE="$OPEN" acme renew --days 2000
assert_refused "a world-writable state directory" "$OPEN" "mode 0777" "owned by root (uid 0)"
assert_eq "$SNAP" "$(state_snapshot "$OPEN")" "the world-writable state is untouched"
STATE="$OPEN" acme list
assert_refused "listing a world-writable state directory" "$OPEN" "mode 0777"

# A state directory that belongs to nobody.
THEIRS="$TEST_TMP/their-state"
mkdir -m 0755 "$THEIRS"
chown nobody:nogroup "$THEIRS"
plant "$THEIRS"
SNAP=$(state_snapshot "$THEIRS")
STATE="$THEIRS" acme renew --days 2000
assert_refused "a state directory owned by nobody" "$THEIRS" "owned by nobody (uid 65534)" \
	"mode 0755"
assert_eq "$SNAP" "$(state_snapshot "$THEIRS")" "nobody's state is untouched"

# A group-writable certs/ in the real state: the remembered hook of
# one.example is not run either.
SNAP=$(state_snapshot "$STATE")
chmod 0770 "$STATE/certs"
acme renew --days 2000
assert_refused "a group-writable certs/" "$STATE/certs" "mode 0770"
chmod 0700 "$STATE/certs"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "the state is untouched after a refused run"
assert_eq "$LIVE" "$(readlink "$STATE/certs/one.example")" "the live generation is the same"

# archive/one.example symlinked to another directory: no generation is
# written there and nothing there is pruned, by renew or by issue --force.
VICTIM="$TEST_TMP/victim"
mkdir -p "$VICTIM/1" "$VICTIM/2" "$VICTIM/5"
echo keep >"$VICTIM/1/cert.pem"
echo keep >"$VICTIM/5/privkey.pem"
cp -a "$STATE/archive/one.example/." "$VICTIM/"
mv "$STATE/archive/one.example" "$TEST_TMP/real-archive"
ln -s "$VICTIM" "$STATE/archive/one.example"
SNAP=$(state_snapshot "$VICTIM")
acme renew --days 2000
assert_refused "an archive/NAME symlink (renew)" "$STATE/archive/one.example" "symlink"
acme issue --force --webroot "$WWW" one.example
assert_refused "an archive/NAME symlink (issue --force)" "$STATE/archive/one.example" "symlink"
assert_eq "$SNAP" "$(state_snapshot "$VICTIM")" "the symlink's target is untouched"
rm "$STATE/archive/one.example"
mv "$TEST_TMP/real-archive" "$STATE/archive/one.example"

# certs/one.example pointing outside the state, at a generation with a hook.
OUTSIDE="$TEST_TMP/outside"
mkdir -p "$OUTSIDE/9"
cp "$STATE/certs/one.example/"* "$OUTSIDE/9/"
python3 - "$OUTSIDE/9/issuance.json" "$MARK" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["hooks"] = {"pre": "touch '%s'" % sys.argv[2]}
json.dump(doc, open(sys.argv[1], "w"))
EOF
ln -sfn "$OUTSIDE/9" "$STATE/certs/one.example"
SNAP=$(state_snapshot "$OUTSIDE")
acme renew --days 2000
assert_refused "certs/NAME pointing outside the state" "$STATE/certs/one.example" \
	"$OUTSIDE/9" "../archive/one.example/GENERATION"
ln -sfn "../archive/one.example/../../../outside/9" "$STATE/certs/one.example"
acme renew --days 2000
assert_refused "certs/NAME escaping through .." "$STATE/certs/one.example"
assert_eq "$SNAP" "$(state_snapshot "$OUTSIDE")" "the outside directory is untouched"
ln -sfn "$LIVE" "$STATE/certs/one.example"
acme renew
assert_rc 0 "with the link restored the state is used again"

# The webroot: acme-challenge a symlink to a directory of nobody's.
NOBODY_DIR="$TEST_TMP/nobody-www"
mkdir -m 0755 "$NOBODY_DIR"
chown nobody:nogroup "$NOBODY_DIR"
mkdir -p "$WWW/.well-known"
ln -s "$NOBODY_DIR" "$WWW/.well-known/acme-challenge"
BEFORE=$(pebble_request_count)
acme issue --webroot "$WWW" two.example
assert_refused "acme-challenge linked to nobody's directory" \
	"$WWW/.well-known/acme-challenge" "uid 65534" "webroot's owner (uid 0)"
assert_eq "" "$(ls -A "$NOBODY_DIR")" "nothing was created in nobody's directory"
assert_no_file "$STATE/certs/two.example" "no certificate two.example"
# a link nobody made is refused even when it leads to root's directory
rm "$WWW/.well-known/acme-challenge"
mkdir -p "$TEST_TMP/served"
ln -s "$TEST_TMP/served" "$WWW/.well-known/acme-challenge"
chown -h nobody "$WWW/.well-known/acme-challenge"
acme issue --webroot "$WWW" two.example
assert_refused "an acme-challenge link made by nobody" "$WWW/.well-known/acme-challenge" \
	"made by uid 65534"
assert_eq "" "$(ls -A "$TEST_TMP/served")" "nothing was created behind nobody's link"
# root's own link to root's directory is followed
rm "$WWW/.well-known/acme-challenge"
ln -s "$TEST_TMP/served" "$WWW/.well-known/acme-challenge"
acme issue --webroot "$WWW" two.example
assert_rc 0 "root's own symlinked acme-challenge is used"
assert_cert_issued "$STATE/certs/two.example" two.example
assert_eq "" "$(ls -A "$TEST_TMP/served")" "the token files were removed again"
rm "$WWW/.well-known/acme-challenge"

# --config: world-writable, or nobody's, is refused; 0644 of root's is read.
CONF="$TEST_TMP/conf/acmectl.conf"
mkdir -p "$TEST_TMP/conf"
echo "timeout = 30" >"$CONF"
chmod 0666 "$CONF"
acme --config "$CONF" list
assert_refused "a world-writable --config" "$CONF" "mode 0666"
chmod 0644 "$CONF"
chown nobody "$CONF"
acme --config "$CONF" list
assert_refused "a --config owned by nobody" "$CONF" "owned by nobody (uid 65534)"
chown root "$CONF"
chmod 0777 "$TEST_TMP/conf"
acme --config "$CONF" list
assert_refused "a --config in a world-writable directory" "$TEST_TMP/conf" "mode 0777"
chmod 0755 "$TEST_TMP/conf"
acme --config "$CONF" list
assert_rc 0 "a root-owned 0644 --config is read"

# /etc/acmectl/acmectl.conf, in a private mount namespace over an overlay
# of /etc, so the machine's /etc is never changed.
mkdir -p "$TEST_TMP/etc-up/acmectl" "$TEST_TMP/etc-work"
echo "timeout = 30" >"$TEST_TMP/etc-up/acmectl/acmectl.conf"
chmod 0666 "$TEST_TMP/etc-up/acmectl/acmectl.conf"
resolve_acmectl
ETC_BEFORE=$(state_snapshot /etc/acmectl)
etc_run() {
	RC=0
	unshare --mount --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc || exit 99
		shift 2
		exec "$@"' sh "$TEST_TMP/etc-up" "$TEST_TMP/etc-work" \
		"$ACMECTL" --state-dir "$STATE" "$@" \
		>"$TEST_TMP/etc.out" 2>"$TEST_TMP/etc.err" || RC=$?
	ERR=$(cat "$TEST_TMP/etc.err")
	[ "$RC" != 99 ] || fail "cannot mount an overlay on /etc: $ERR"
}
etc_run list
assert_refused "a world-writable /etc/acmectl/acmectl.conf" \
	/etc/acmectl/acmectl.conf "mode 0666"
chmod 0644 "$TEST_TMP/etc-up/acmectl/acmectl.conf"
etc_run list
assert_rc 0 "a root-owned 0644 /etc/acmectl/acmectl.conf is read"
assert_eq "$ETC_BEFORE" "$(state_snapshot /etc/acmectl)" "the machine's /etc/acmectl was not touched"

test_done
