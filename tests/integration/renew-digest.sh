#!/bin/bash
# renew-digest.sh - the renew digest (STATE/renew-digest) against real
# certificates from Pebble: a warm run with nothing due opens none of the
# certificates' files (strace; with --jitter too), a cold one opens them
# all; and every change
# to a certificate's files after the digest was written makes the next run
# read that certificate from its files and give the right answer: cert.pem
# rewritten in place by a due certificate of the same size with its mtime
# set back (only the ctime tells), ari.json saying "renew now",
# issuance.json saying revoked or deploy_pending, a new generation linked,
# a certificate deleted. A digest that is truncated, garbage, of another
# version, huge, or names a certificate not kept is ignored (and rewritten);
# hooks given that each certificate already remembers let its row serve,
# other ones are remembered from its files; --metrics takes its gauges
# from the rows too (the same file as a cold run);
# one that is a FIFO, a symlink or world-writable is refused like any state
# file (exit 4, nothing done). Files changed under 2 s before a run get no
# row (a change within one clock tick would keep their ctime).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

command -v strace >/dev/null || fail "strace is needed (contrib/install-deps.sh)"
pebble_start_webroot
DIGEST=$STATE/renew-digest
NAMES="a-cert.example b-ari.example c-revoked.example d-pending.example e-gen.example f-deleted.example"

# traced ARGS...: acme ARGS under strace (the files it opens, with the
# paths of the directories they are opened in); sets RC, OUT, ERR and
# OPENED (the certificate files opened: one "NAME FILE" line each).
traced() {
	local real
	resolve_acmectl
	real=$ACMECTL
	cat >"$TEST_TMP/traced" <<EOF
#!/bin/sh
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0 exec strace -f -qq -y -o "$TEST_TMP/trace" -e trace=openat "$real" "\$@"
EOF
	chmod 755 "$TEST_TMP/traced"
	ACMECTL=$TEST_TMP/traced
	acme "$@"
	ACMECTL=$real
	OPENED=$(sed -nE 's|.*/archive/([^/]+)/[0-9]+>, "(cert\.pem\|issuance\.json\|ari\.json)".*|\1 \2|p' \
		"$TEST_TMP/trace" | sort -u)
}

# settle: the files written so far are old enough to get a row (their
# ctime 2 s before the whole second a run starts in).
settle() {
	sleep 3.1
}

# due_pem_like FILE: a certificate valid for 3 days from now, so due with
# --days 5 (a self-signed one: only its dates matter to renew), padded
# with newlines to FILE's size.
due_pem_like() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$TEST_TMP/due.key" -out "$TEST_TMP/due.pem" -days 3 \
		-subj /CN=due.example 2>/dev/null
	python3 - "$TEST_TMP/due.pem" "$(stat -c %s "$1")" <<'PY'
import sys
pem = open(sys.argv[1], "rb").read()
size = int(sys.argv[2])
assert len(pem) <= size, "the due certificate is larger than the one it replaces"
sys.stdout.buffer.write(pem + b"\n" * (size - len(pem)))
PY
}

for n in $NAMES; do
	acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos "$n"
	assert_rc 0 "issue $n"
done

# --- files changed less than 2 s ago get no row
settle
cp -p "$STATE/certs/f-deleted.example/ari.json" "$TEST_TMP/ari.json"
mv "$TEST_TMP/ari.json" "$STATE/certs/f-deleted.example/ari.json"
acme renew
assert_rc 0 "renew right after a file changed"
assert_eq "acmectl renew-digest 2" "$(head -n 1 "$DIGEST")" "the digest is written, version 2"
assert_file_mode "$DIGEST" 600
assert_not_contains "$(cat "$DIGEST")" "f-deleted.example " \
	"no row for a certificate with a file changed under 2 s before the run"
assert_contains "$(cat "$DIGEST")" "a-cert.example " "a row for one with settled files"

# --- cold: every certificate is read; then its rows are written
rm "$DIGEST"
settle
traced -v renew
assert_rc 0 "cold renew"
assert_eq 18 "$(echo "$OPENED" | grep -c .)" "the cold run reads the 3 files of all 6 certificates"
for n in $NAMES; do
	assert_contains "$(cat "$DIGEST")" "$n " "a row for $n"
done

# --- warm: none of them is opened, the digest is not rewritten
DIGEST_INO=$(stat -c %i "$DIGEST")
traced -v renew
assert_rc 0 "warm renew"
assert_eq "" "$OPENED" "the warm run opens no certificate's files"
assert_contains "$OUT" "a-cert.example: not due, valid until" "a-cert.example is reported not due"
assert_eq "$DIGEST_INO" "$(stat -c %i "$DIGEST")" "an unchanged digest is not rewritten"
# cron's --jitter: nothing due, so no pause, and nothing read either
traced -v renew --jitter 600
assert_rc 0 "warm renew --jitter"
assert_eq "" "$OPENED" "the warm run with --jitter opens no certificate's files"
assert_not_contains "$ERR" "waiting" "nothing due: no jitter pause"
acme renew --json
assert_rc 0 "warm renew --json"
assert_contains "$OUT" '"not_after"' "--json from the digest's rows still gives the dates"
assert_eq 6 "$(grep -o '"action": *"not-due"' <<<"$OUT" | wc -l)" "6 not due in --json"

# --- cert.pem rewritten in place: same inode, same size, mtime set back
CERT=$STATE/certs/a-cert.example/cert.pem
INO=$(stat -c %i "$CERT")
MTIME=$(stat -c %y "$CERT")  # to the nanosecond
due_pem_like "$CERT" >"$TEST_TMP/a.pem"
cat "$TEST_TMP/a.pem" >"$CERT"
touch -d "$MTIME" "$CERT"
assert_eq "$INO $(wc -c <"$TEST_TMP/a.pem") $MTIME" \
	"$(stat -c '%i %s %y' "$CERT")" "cert.pem: same inode, size and mtime (to the ns)"
traced -v renew --days 5
assert_rc 0 "renew after cert.pem was rewritten in place"
assert_contains "$OPENED" "a-cert.example cert.pem" "a-cert.example is read from its files (its ctime moved)"
assert_not_contains "$OPENED" "b-ari.example" "the others still come from the digest"
# 2 or 3 days left, as the second turns
assert_contains "$(sed -E 's/\(([23]) of 3 days left\)/(N of 3 days left)/' <<<"$OUT")" \
	"a-cert.example: renewed (N of 3 days left)" "the due certificate is renewed"

# --- ari.json rewritten to say: renew now
ARI=$STATE/certs/b-ari.example/ari.json
ID=$(json_field "$ARI" cert_id)
cat >"$ARI.new" <<EOF
{"cert_id": "$ID", "renewal_info": true, "failures": 0,
 "window_start": "2020-01-01T00:00:00Z", "window_end": "2020-01-02T00:00:00Z",
 "renew_at": "2020-01-01T12:00:00Z", "next_check": "2099-01-01T00:00:00Z"}
EOF
mv "$ARI.new" "$ARI"
traced -v renew
assert_rc 0 "renew after ari.json said renew now"
assert_contains "$OPENED" "b-ari.example ari.json" "b-ari.example is read from its files"
assert_contains "$OPENED" "a-cert.example cert.pem" \
	"a-cert.example's old row no longer stands for its renewed files: read from them"
assert_contains "$OUT" "b-ari.example: renewed (in the CA's renewal window (ARI))" \
	"ARI's window renews it"

# --- issuance.json: revoked
REC=$STATE/certs/c-revoked.example/issuance.json
MTIME=$(stat -c %y "$REC")
python3 - "$REC" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
rec["revoked"] = "2026-01-01T00:00:00Z"
open(sys.argv[1], "w").write(json.dumps(rec, indent=4, sort_keys=True) + "\n")
PY
touch -d "$MTIME" "$REC"
# --- issuance.json: deploy_pending, with a deploy hook that leaves a mark
cat >"$TEST_TMP/deploy" <<EOF
#!/bin/sh
echo "deployed \$ACMECTL_NAME" >>"$TEST_TMP/deployed"
EOF
chmod 755 "$TEST_TMP/deploy"
REC=$STATE/certs/d-pending.example/issuance.json
python3 - "$REC" "$TEST_TMP/deploy" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
rec["deploy_pending"] = True
rec["hooks"] = {"deploy": sys.argv[2]}
open(sys.argv[1], "w").write(json.dumps(rec, indent=4, sort_keys=True) + "\n")
PY
traced -v renew
assert_rc 0 "renew after issuance.json changed"
assert_contains "$OPENED" "c-revoked.example issuance.json" "c-revoked.example is read from its files"
assert_contains "$OUT" "c-revoked.example: revoked, not renewed" "revoked is seen"
assert_contains "$OPENED" "d-pending.example issuance.json" "d-pending.example is read from its files"
assert_eq "deployed d-pending.example" "$(cat "$TEST_TMP/deployed" 2>/dev/null)" \
	"the pending deployment is run"

# --- a new generation linked (by hand, as a restore from backup would)
G=$(readlink "$STATE/certs/e-gen.example")
G=${G##*/}
cp -a "$STATE/archive/e-gen.example/$G" "$STATE/archive/e-gen.example/$((G + 1))"
due_pem_like "$STATE/archive/e-gen.example/$G/cert.pem" \
	>"$STATE/archive/e-gen.example/$((G + 1))/cert.pem"
ln -sfn "../archive/e-gen.example/$((G + 1))" "$STATE/certs/e-gen.example"
traced -v renew --days 5
assert_rc 0 "renew after a new generation was linked"
assert_contains "$OPENED" "e-gen.example cert.pem" "e-gen.example is read from its files"
assert_contains "$(sed -E 's/\(([23]) of 3 days left\)/(N of 3 days left)/' <<<"$OUT")" \
	"e-gen.example: renewed (N of 3 days left)" "the new generation's dates count"

# --- a certificate deleted: its row is dropped
settle
acme renew
acme delete --yes f-deleted.example
assert_rc 0 "delete f-deleted.example"
assert_contains "$(cat "$DIGEST")" "f-deleted.example " "its row is there before the next renew"
acme renew
assert_rc 0 "renew after a delete"
assert_not_contains "$(cat "$DIGEST")" "f-deleted.example " "the row of a deleted certificate is dropped"

# Every certificate now has settled files and a row; the answers of a
# warm run are the reference for each broken digest below.
settle
acme renew
traced -v renew
assert_eq "" "$OPENED" "warm again: nothing opened"
assert_eq 5 "$(grep -c '\.example ' "$DIGEST")" "5 rows"
GOOD=$(cat "$DIGEST")
REFERENCE=$OUT

# broken NAME: the digest as $DIGEST holds it now is ignored: renew gives
# the reference answers from the files, says why at -v, and writes a good
# digest again.
broken() {
	traced -v renew
	assert_rc 0 "renew with a $1 digest"
	assert_eq "$REFERENCE" "$OUT" "the same answers with a $1 digest"
	assert_contains "$ERR" "ignoring the renew digest" "-v says a $1 digest is ignored"
	assert_eq 15 "$(echo "$OPENED" | grep -c .)" "with a $1 digest every certificate is read"
	assert_eq "$GOOD" "$(cat "$DIGEST")" "a good digest replaces the $1 one"
}
head -c 300 "$DIGEST" >"$DIGEST.new" && mv "$DIGEST.new" "$DIGEST"
broken truncated
head -c 4000 /dev/urandom >"$DIGEST"
broken garbage
sed -i '1s/ 2$/ 1/' "$DIGEST"
broken "version 1"
{ cat "$DIGEST"; head -c $((33 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; echo; } >"$DIGEST.new"
mv "$DIGEST.new" "$DIGEST"
broken huge
sed -i 's/^b-ari.example /a-cert.example /' "$DIGEST"
broken "unsorted (a name twice)"

# a row for a certificate that is not kept: ignored, and dropped
echo "zz-gone.example $(grep '^a-cert.example ' "$DIGEST" | cut -d' ' -f2-)" >>"$DIGEST"
traced -v renew
assert_rc 0 "renew with a row for a certificate not kept"
assert_eq "$REFERENCE" "$OUT" "the same answers with a row for a certificate not kept"
assert_eq "" "$OPENED" "the other rows are used"
assert_eq "$GOOD" "$(cat "$DIGEST")" "the row for a certificate not kept is dropped"

# refused like any state file: exit 4, nothing done
SNAP=$(state_snapshot "$STATE/archive")
refused() {
	acme renew
	assert_rc 4 "renew with a digest that is $1"
	assert_contains "$ERR" "renew-digest" "the refusal names the digest ($1)"
	assert_eq "$SNAP" "$(state_snapshot "$STATE/archive")" "nothing changed ($1)"
}
rm "$DIGEST"
mkfifo "$DIGEST"
refused "a FIFO"
rm "$DIGEST"
printf '%s\n' "$GOOD" >"$TEST_TMP/elsewhere"
ln -s "$TEST_TMP/elsewhere" "$DIGEST"
refused "a symlink"
rm "$DIGEST"
printf '%s\n' "$GOOD" >"$DIGEST"
chmod 666 "$DIGEST"
refused "world-writable"
assert_contains "$ERR" "mode 0666" "the refusal says the mode"
chmod 600 "$DIGEST"

# hooks given on the command line: a row serves when they are the ones
# its certificate remembers (the same flag every run, as the systemd
# drop-in gives it); any other is remembered from the files, as before.
# hooks_of NAME: the hooks issuance.json remembers, as sorted JSON.
hooks_of() {
	python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("hooks"), sort_keys=True))' \
		"$STATE/certs/$1/issuance.json"
}
# hook_field NAME N: field N (12 deploy, 13 pre, 14 post) of NAME's row.
hook_field() {
	grep "^$1 " "$DIGEST" | cut -d' ' -f"$2"
}
sha() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}
HOOK=$TEST_TMP/deploy
HOOK2="$TEST_TMP/deploy --again"
PRE="echo pre >>$TEST_TMP/pre"
assert_eq "$(sha "$HOOK")" "$(hook_field d-pending.example 12)" "d-pending.example's row has its deploy hook's hash"
assert_eq "none" "$(hook_field a-cert.example 12)" "a-cert.example's row: no deploy hook"
traced -v renew --deploy-hook "$HOOK"
assert_rc 0 "renew with a deploy hook given"
assert_contains "$OPENED" "a-cert.example issuance.json" "a hook given where none is remembered: read from the files"
assert_not_contains "$OPENED" "d-pending.example" "the hook it remembers is given: its row serves"
assert_not_contains "$OPENED" "c-revoked.example" "a revoked one's hooks are not read: its row serves"
assert_eq "{\"deploy\": \"$HOOK\"}" "$(hooks_of a-cert.example)" "the hook given is remembered"
settle
acme renew --deploy-hook "$HOOK"
assert_rc 0 "renew with the same deploy hook, once the records settled"
assert_eq "$(sha "$HOOK")" "$(hook_field a-cert.example 12)" "the new row has the hook's hash"
ISS_KEY=$(stat -c '%i %Y %Z' "$STATE/certs/a-cert.example/issuance.json")
traced -v renew --deploy-hook "$HOOK"
assert_rc 0 "renew with the same deploy hook again"
assert_eq "" "$OPENED" "the same deploy hook as remembered: no certificate file is opened"
assert_eq "$REFERENCE" "$OUT" "the same answers as without the hook"
assert_eq "$ISS_KEY" "$(stat -c '%i %Y %Z' "$STATE/certs/a-cert.example/issuance.json")" \
	"issuance.json is not written"

# another deploy hook: remembered, the row dropped, then made again
traced -v renew --deploy-hook "$HOOK2"
assert_rc 0 "renew with another deploy hook"
assert_eq 12 "$(echo "$OPENED" | grep -c .)" "another hook: each certificate but the revoked one is read"
assert_eq "{\"deploy\": \"$HOOK2\"}" "$(hooks_of a-cert.example)" "the other hook is remembered"
assert_ne "$(sha "$HOOK")" "$(hook_field a-cert.example 12)" "the row of the old hook is not kept"
settle
acme renew --deploy-hook "$HOOK2"
assert_eq "$(sha "$HOOK2")" "$(hook_field a-cert.example 12)" "the row is made again with the new hook's hash"
traced -v renew --deploy-hook "$HOOK2"
assert_eq "" "$OPENED" "the new hook given again: nothing opened"

# a pre hook where none is remembered: remembered, laid over the deploy hook
traced -v renew --pre-hook "$PRE"
assert_rc 0 "renew with a pre hook given"
assert_contains "$OPENED" "a-cert.example issuance.json" "a pre hook given where none is remembered: read"
assert_eq "{\"deploy\": \"$HOOK2\", \"pre\": \"$PRE\"}" "$(hooks_of a-cert.example)" \
	"the pre hook is remembered beside the deploy hook"
settle
acme renew
assert_eq "$(sha "$HOOK2") $(sha "$PRE") none" \
	"$(grep '^a-cert.example ' "$DIGEST" | cut -d' ' -f12-14)" "the row has both hooks' hashes"
traced -v renew --pre-hook "$PRE" --post-hook ""
assert_eq "" "$OPENED" "the remembered pre hook and removing no post hook: nothing opened"

# --metrics: a warm run takes the gauges from the rows too, and writes
# the same file a cold run does. b-ari.example gets a failed attempt on
# record, so the error gauges and the failing-first order are in play.
REC=$STATE/certs/b-ari.example/issuance.json
python3 - "$REC" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
rec["last_attempt"] = "2026-01-02T03:04:05Z"
rec["last_error"] = "urn:ietf:params:acme:error:rateLimited: too many"
open(sys.argv[1], "w").write(json.dumps(rec, indent=4, sort_keys=True) + "\n")
PY
settle
rm "$DIGEST"
traced -v renew --metrics "$TEST_TMP/cold.prom"
assert_rc 0 "cold renew --metrics"
assert_eq 15 "$(echo "$OPENED" | grep -c .)" "the cold run reads every certificate"
traced -v renew --metrics "$TEST_TMP/warm.prom"
assert_rc 0 "warm renew --metrics"
assert_eq "" "$OPENED" "a warm run with --metrics opens no certificate's files"
assert_eq "$(cat "$TEST_TMP/cold.prom")" "$(cat "$TEST_TMP/warm.prom")" \
	"the warm run's metrics are the cold run's"
assert_contains "$(cat "$TEST_TMP/warm.prom")" \
	'acmectl_certificate_last_error{name="b-ari.example",' "the metrics name b-ari.example's error"
assert_eq 1 "$(grep '^acmectl_certificate_last_error{name="b-ari.example",' "$TEST_TMP/warm.prom" | awk '{print $2}')" \
	"b-ari.example's last error is 1 from its row"
assert_eq 1767323045 "$(grep '^acmectl_certificate_last_attempt_seconds{name="b-ari.example",' "$TEST_TMP/warm.prom" | awk '{print $2}')" \
	"b-ari.example's last attempt from its row"
assert_eq "b-ari.example" "$(grep -m1 '^acmectl_certificate_not_after_seconds{' "$TEST_TMP/warm.prom" | sed -E 's/.*name="([^"]*)".*/\1/')" \
	"the failing certificate comes first"
acme list --metrics "$TEST_TMP/list.prom"
assert_rc 0 "list --metrics"
assert_eq "$(cat "$TEST_TMP/list.prom")" "$(cat "$TEST_TMP/warm.prom")" "list --metrics says the same"
test_done
