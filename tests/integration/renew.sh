#!/bin/bash
# renew.sh - `acmectl renew` on Pebble (certificates valid 5 years, so due is
# forced with --days): nothing due means no request at all; --days renews
# atomically into a new generation with the deploy hook run once with its
# environment and pre/post hooks once per run; hooks are remembered; a
# failing deploy hook exits 1 and keeps the new certificate; revoked
# certificates are skipped; --json; unknown names; --jitter; an unreachable
# server costs one failure per server, and nothing due still needs no server.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
HOOKS="$TEST_TMP/hooks.log"
: >"$HOOKS"

# The deploy hook records its environment; the pre/post hooks a line each.
cat >"$TEST_TMP/deploy" <<HOOK
#!/bin/sh
{
	echo "deploy name=\$ACMECTL_NAME"
	echo "  dir=\$ACMECTL_CERT_DIR"
	echo "  cert=\$ACMECTL_CERT chain=\$ACMECTL_CHAIN"
	echo "  fullchain=\$ACMECTL_FULLCHAIN privkey=\$ACMECTL_PRIVKEY"
	openssl x509 -in "\$ACMECTL_CERT" -noout -fingerprint -sha256 | sed 's/^/  live: /'
} >>"$HOOKS"
HOOK
chmod 755 "$TEST_TMP/deploy"
PRE="echo pre >>'$HOOKS'"
POST="echo post >>'$HOOKS'"

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos one.example
assert_rc 0 "issue one.example"
acme issue --webroot "$WWW" two.example www.two.example
assert_rc 0 "issue two.example"

# First plain renew: nothing due by the dates, and issue already recorded
# that Pebble 2.4 offers no renewalInfo: no request at all
BEFORE=$(pebble_request_count)
acme -v renew
assert_rc 0 "renew with nothing due"
assert_eq 0 "$(($(pebble_request_count) - BEFORE))" "the first run after issue makes no request"
assert_contains "$OUT" "one.example: not due, valid until" "one.example is not due"
assert_contains "$OUT" "two.example: not due, valid until" "two.example is not due"
assert_eq false "$(json_field "$STATE/certs/one.example/ari.json" renewal_info)" \
	"ari.json records that the server has no renewalInfo"

# Second plain renew: no network at all, nothing touched
SNAP=$(state_snapshot "$STATE/archive")
BEFORE=$(pebble_request_count)
acme -v renew
assert_rc 0 "renew with nothing due, again"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request at all when nothing is due"
assert_not_contains "$ERR" "connections:" "no connection opened"
assert_eq "$SNAP" "$(state_snapshot "$STATE/archive")" "state untouched when nothing is due"
assert_eq "" "$(cat "$HOOKS")" "no hook runs when nothing is due"

# Without -v: one summary line for all of them (cron mails every line),
# naming the certificate due first; -q: nothing
acme renew
assert_rc 0 "renew with nothing due, no -v"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line for two certificates"
assert_contains "$OUT" "acmectl: 2 certificates checked, none due (next: one.example on 20" \
	"the summary counts them and names the one due first (issued first)"
assert_not_contains "$OUT" "two.example" "no line of its own for two.example"
acme -q renew
assert_rc 0 "renew -q with nothing due"
assert_eq "" "$OUT" "-q: no line at all"

# --days 2000 (> 5 years) renews one named certificate, with hooks
OLD_TARGET=$(readlink "$STATE/certs/one.example")
OLD_CERT=$(sha_of "$STATE/certs/one.example/cert.pem")
TWO_CERT=$(sha_of "$STATE/certs/two.example/cert.pem")
acme renew --days 2000 --deploy-hook "$TEST_TMP/deploy" --pre-hook "$PRE" \
	--post-hook "$POST" one.example
assert_rc 0 "renew --days 2000 one.example"
assert_contains "$OUT" "one.example: renewed (" "says it renewed one.example"
assert_not_contains "$OUT" "two.example" "two.example not looked at when not named"
NEW_TARGET=$(readlink "$STATE/certs/one.example")
assert_ne "$OLD_TARGET" "$NEW_TARGET" "a new generation is live"
assert_ne "$OLD_CERT" "$(sha_of "$STATE/certs/one.example/cert.pem")" "a new certificate"
assert_eq "$OLD_CERT" "$(sha_of "$STATE/certs/$OLD_TARGET/cert.pem")" "the previous generation is kept"
assert_cert_issued "$STATE/certs/one.example" one.example
assert_eq "$TWO_CERT" "$(sha_of "$STATE/certs/two.example/cert.pem")" "two.example untouched"
assert_eq 1 "$(grep -c '^deploy ' "$HOOKS")" "the deploy hook ran exactly once"
D="$STATE/certs/one.example"
assert_eq "deploy name=one.example
  dir=$D
  cert=$D/cert.pem chain=$D/chain.pem
  fullchain=$D/fullchain.pem privkey=$D/privkey.pem
  live: $(openssl x509 -in "$D/cert.pem" -noout -fingerprint -sha256)" \
	"$(grep -A4 '^deploy ' "$HOOKS")" "deploy hook environment, and it saw the new certificate live"
assert_eq "pre" "$(grep -v '^ \|^deploy' "$HOOKS" | head -n 1)" "the pre hook ran first"
assert_eq 1 "$(grep -c '^pre$' "$HOOKS")" "the pre hook ran once"
assert_eq 1 "$(grep -c '^post$' "$HOOKS")" "the post hook ran once"
assert_eq post "$(tail -n 1 "$HOOKS")" "the post hook ran last"
assert_eq "$TEST_TMP/deploy" "$(json_field "$D/issuance.json" hooks.deploy)" "deploy hook remembered"
assert_eq "$PRE" "$(json_field "$D/issuance.json" hooks.pre)" "pre hook remembered"
assert_eq "$POST" "$(json_field "$D/issuance.json" hooks.post)" "post hook remembered"
assert_eq false "$(json_field "$D/ari.json" renewal_info)" \
	"the new generation has its ARI state at once"

# A plain renew of everything due uses the remembered hooks
: >"$HOOKS"
acme renew --days 2000
assert_rc 0 "renew --days 2000 (both)"
assert_contains "$OUT" "one.example: renewed" "one.example renewed"
assert_contains "$OUT" "two.example: renewed" "two.example renewed"
assert_cert_issued "$STATE/certs/two.example" two.example www.two.example
assert_eq "pre
post" "$(grep -v '^ \|^deploy' "$HOOKS")" "remembered pre and post hooks ran once each"
assert_eq "deploy name=one.example" "$(grep '^deploy ' "$HOOKS")" \
	"the remembered deploy hook ran for one.example only"

# A failing deploy hook: exit 1, reported, the new certificate stays
OLD_CERT=$(sha_of "$STATE/certs/two.example/cert.pem")
acme renew --days 2000 --deploy-hook 'echo deploying >&2; exit 3' two.example
assert_rc 1 "a failing deploy hook"
assert_contains "$OUT" "two.example: renewed" "the renewal itself is reported"
assert_contains "$OUT" "failed with exit status 3" "the hook's failure is in its line"
assert_contains "$ERR" "1 of 1 certificates failed to renew or deploy" "summary error"
assert_contains "$ERR" "deploying" "the hook's output goes to stderr"
assert_ne "$OLD_CERT" "$(sha_of "$STATE/certs/two.example/cert.pem")" "the new certificate stays"
assert_cert_issued "$STATE/certs/two.example" two.example www.two.example

# A hook given when nothing is due replaces the remembered one at once
acme renew --deploy-hook true two.example
assert_rc 0 "renew --deploy-hook true (nothing due)"
assert_contains "$OUT" "two.example: not due" "two.example is not due"
assert_eq true "$(json_field "$STATE/certs/two.example/issuance.json" hooks.deploy)" \
	"the failing deploy hook is replaced in the record"

# --json
acme renew --json
assert_rc 0 "renew --json with nothing due"
assert_eq "one.example:not-due two.example:not-due" "$(python3 -c '
import json, sys
print(" ".join("%s:%s" % (e["name"], e["action"]) for e in json.loads(sys.argv[1])))' "$OUT")" \
	"--json: one entry per certificate, not-due"
assert_eq "$(openssl x509 -in "$STATE/certs/one.example/cert.pem" -noout -enddate |
	sed 's/^notAfter=//' | xargs -I{} date -u -d {} +%Y-%m-%dT%H:%M:%SZ)" \
	"$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["not_after"])' "$OUT")" \
	"--json: not_after is the certificate's, RFC 3339"
acme renew --json --days 2000 two.example nosuch
assert_rc 1 "renew --json with an unknown name"
assert_eq "two.example:renewed:- nosuch:failed:no certificate" "$(python3 -c '
import json, sys
print(" ".join("%s:%s:%s" % (e["name"], e["action"], e.get("error", "-")[:14])
	for e in json.loads(sys.argv[1])))' "$OUT")" \
	"--json: renewed, and failed with an error for the unknown name"

# A certificate marked revoked is never renewed, even with --force
python3 - "$STATE/certs/one.example/issuance.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["revoked"] = {"at": "2026-01-01T00:00:00Z", "reason": 4}
json.dump(doc, open(sys.argv[1], "w"), indent=2)
EOF
OLD_CERT=$(sha_of "$STATE/certs/one.example/cert.pem")
BEFORE=$(pebble_request_count)
: >"$HOOKS"
acme renew --force one.example
assert_rc 0 "renew --force of a revoked certificate"
assert_contains "$OUT" "one.example: revoked, not renewed" "reported as revoked"
assert_eq "$OLD_CERT" "$(sha_of "$STATE/certs/one.example/cert.pem")" "revoked certificate untouched"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request for a revoked certificate"
assert_eq "" "$(cat "$HOOKS")" "no hook for a revoked certificate"
acme renew --json --force one.example
assert_eq revoked "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["action"])' "$OUT")" \
	"--json action of a revoked certificate"

# --jitter sleeps only when something is due
START=$SECONDS
acme renew --jitter 30
assert_rc 0 "renew --jitter 30 with nothing due"
assert_true "no jitter sleep when nothing is due ($((SECONDS - START)) s)" test $((SECONDS - START)) -lt 10
acme -v renew --jitter 1 --days 2000 two.example
assert_rc 0 "renew --jitter 1 with something due"
assert_contains "$ERR" "(--jitter 1)" "waited a random time first"

# Pebble gone: due certificates fail (exit 3: every failure a network one),
# once per server; nothing due still needs no server and exits 0
pebble_stop
START=$SECONDS
acme -v renew
assert_rc 0 "nothing due with the server down"
acme renew --days 2000
assert_rc 3 "due with the server down"
assert_contains "$OUT" "two.example: failed: " "the due certificate failed"
assert_contains "$OUT" "one.example: revoked" "the revoked one is still skipped"
assert_contains "$ERR" "1 of 2 certificates failed" "summary of failures"
assert_true "bounded time with the server down ($((SECONDS - START)) s)" test $((SECONDS - START)) -lt 40

test_done
