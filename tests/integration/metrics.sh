#!/bin/bash
# metrics.sh - `list --metrics FILE` and `renew --metrics FILE`: a
# Prometheus textfile that promtool accepts, with the values the state
# holds (not-after, due, last attempt, last success, last error) labelled
# name, server and staging; an odd server URL escaped so that it reads back
# as it was; written atomically (0644), and in a directory that cannot be
# written: exit 4, nothing written, no temporary file left.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

command -v promtool >/dev/null || fail "promtool is missing (contrib/install-deps.sh installs prometheus)"
pebble_start_webroot
PROM_DIR=$TEST_TMP/textfile
mkdir -p "$PROM_DIR"
PROM=$PROM_DIR/acmectl.prom

# sample FILE METRIC NAME: the value of METRIC for certificate NAME, as
# the exposition format reads (labels unescaped); "none" when absent.
# LABEL=server prints that label instead.
sample() {
	python3 - "$@" <<'PY'
import re, sys, os
path, metric, name = sys.argv[1:4]
want = os.environ.get("LABEL")
line_re = re.compile(r'^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)*)\} (-?[0-9]+)$')
label_re = re.compile(r'([a-z_]+)="((?:[^"\\\n]|\\[\\"n])*)"')
unescape = lambda v: re.sub(r'\\([\\"n])', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
found = "none"
for line in open(path, encoding="utf-8").read().split("\n"):
    if not line or line.startswith("#"):
        continue
    m = line_re.match(line)
    if m is None:
        sys.exit("not a sample line: %r" % line)
    labels = {k: unescape(v) for k, v in label_re.findall(m.group(2))}
    if m.group(1) == metric and labels.get("name") == name:
        found = labels[want] if want else m.group(3)
print(found)
PY
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos a.example
assert_rc 0 "issue a.example"
acme issue --webroot "$WWW" b.example
assert_rc 0 "issue b.example"

acme list -q --metrics "$PROM"
assert_rc 0 "list --metrics"
assert_eq "" "$OUT" "-q: nothing on standard output"
assert_file_mode "$PROM" 644
assert_true "promtool check metrics accepts the file" sh -c "promtool check metrics <'$PROM'"
NOT_AFTER=$(date -u -d "$(openssl x509 -in "$STATE/certs/a.example/cert.pem" -noout -enddate |
	sed 's/^notAfter=//')" +%s)
ISSUED=$(date -u -d "$(json_field "$STATE/certs/a.example/issuance.json" issued)" +%s)
assert_eq "$NOT_AFTER" "$(sample "$PROM" acmectl_certificate_not_after_seconds a.example)" \
	"not_after is the certificate's notAfter"
assert_eq 0 "$(sample "$PROM" acmectl_certificate_renewal_due a.example)" "a new certificate is not due"
assert_eq "$ISSUED" "$(sample "$PROM" acmectl_certificate_last_success_seconds a.example)" \
	"last_success is when it was issued"
assert_eq "$ISSUED" "$(sample "$PROM" acmectl_certificate_last_attempt_seconds a.example)" \
	"so is the last attempt"
assert_eq 0 "$(sample "$PROM" acmectl_certificate_last_error a.example)" "no error"
assert_eq "$PEBBLE_DIR_URL" "$(LABEL=server sample "$PROM" acmectl_certificate_last_error a.example)" \
	"the server label"
assert_eq false "$(LABEL=staging sample "$PROM" acmectl_certificate_last_error a.example)" \
	"the staging label"
for m in not_after_seconds renewal_due last_attempt_seconds last_success_seconds last_error; do
	assert_eq 1 "$(grep -c "^# TYPE acmectl_certificate_$m gauge$" "$PROM")" "one TYPE line for $m"
done

# a failed renewal is in the file renew writes, and renew still exits 1
pebble_new_account
challtest_add_a b.example 127.0.0.2
BEFORE=$(date +%s)
acme renew --force --metrics "$PROM" b.example
assert_rc 1 "renew whose validation fails"
assert_eq 1 "$(sample "$PROM" acmectl_certificate_last_error b.example)" "last_error is 1"
assert_eq 0 "$(sample "$PROM" acmectl_certificate_last_error a.example)" "the other is fine"
assert_true "last_attempt moved to the failed attempt" \
	test "$(sample "$PROM" acmectl_certificate_last_attempt_seconds b.example)" -ge "$BEFORE"
assert_true "promtool accepts the file after a failure" sh -c "promtool check metrics <'$PROM'"
challtest_clear_a b.example

# what renew renewed is in the file it writes: the new notAfter and issue time
acme renew --metrics "$PROM" --days 3650 a.example
assert_rc 0 "renew --metrics renews what --days makes due"
assert_eq ../archive/a.example/2 "$(readlink "$STATE/certs/a.example")" "a.example was renewed"
NOT_AFTER=$(date -u -d "$(openssl x509 -in "$STATE/certs/a.example/cert.pem" -noout -enddate |
	sed 's/^notAfter=//')" +%s)
ISSUED=$(date -u -d "$(json_field "$STATE/certs/a.example/issuance.json" issued)" +%s)
assert_eq "$NOT_AFTER" "$(sample "$PROM" acmectl_certificate_not_after_seconds a.example)" \
	"the renewed certificate's notAfter"
assert_eq "$ISSUED" "$(sample "$PROM" acmectl_certificate_last_success_seconds a.example)" \
	"the renewal's time as last_success"

# odd server URLs: ", \ and a line feed in the label value, escaped
python3 - "$STATE/certs/a.example/issuance.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["server"] = 'https://ca.example/dir?q="x\\y\nz'
open(p, "w").write(json.dumps(d))
PY
acme list -q --metrics "$PROM"
assert_rc 0 "list --metrics with an odd server"
assert_true "promtool accepts the escaped label" sh -c "promtool check metrics <'$PROM'"
assert_eq 'https://ca.example/dir?q="x\y
z' "$(LABEL=server sample "$PROM" acmectl_certificate_not_after_seconds a.example)" \
	"the server label reads back as it was"
assert_contains "$(cat "$PROM")" 'server="https://ca.example/dir?q=\"x\\y\nz"' "escaped as the format says"

# a directory that cannot be written: exit 4, nothing written, no temp file
RO=$TEST_TMP/ro
mkdir -p "$RO"
echo "old" >"$RO/acmectl.prom"
if [ "$(id -u)" = 0 ]; then
	# root writes through permissions: a read-only bind mount refuses it
	resolve_acmectl
	rc=0
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		shift && exec "$@"' sh "$RO" "$ACMECTL" --state-dir "$STATE" list -q \
		--metrics "$RO/acmectl.prom" 2>"$TEST_TMP/ro.err" || rc=$?
	RC=$rc
	ERR=$(cat "$TEST_TMP/ro.err")
else
	chmod 555 "$RO"
	acme list -q --metrics "$RO/acmectl.prom"
	chmod 755 "$RO"
fi
assert_rc 4 "list --metrics into a directory that cannot be written"
assert_contains "$ERR" "cannot write $RO/acmectl.prom" "the error names the file"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "in one line"
assert_eq old "$(cat "$RO/acmectl.prom")" "the old file is untouched"
assert_eq 1 "$(find "$RO" -mindepth 1 | wc -l)" "no temporary file is left"
acme renew --metrics "$TEST_TMP/no/such/dir/acmectl.prom"
assert_rc 4 "renew --metrics into a missing directory exits 4"
acme list --metrics "$PROM_DIR"
assert_rc 4 "a directory as the file exits 4"

test_done
