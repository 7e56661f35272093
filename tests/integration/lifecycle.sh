#!/bin/bash
# lifecycle.sh - a certificate's settings kept honestly, with two Pebbles:
# one plays a staging CA (named in the config file's staging-servers), the
# other production. A real nginx serves the webroot on both Pebbles' http-01
# ports and the certificate over TLS; the deploy hook reloads it. Covers:
# issue on staging with a deploy hook; issue --server PROD for the same
# names (a new certificate from PROD, hook run and still remembered, nginx
# serving it); fewer names refused with exit 2 and nothing touched;
# --replace-names; renew --server STAGING renewing nothing; renew using
# PROD without --ca-bundle; a failing deploy hook retried by the next renew;
# list --json and issue --json; a staging certificate over a production one
# warned about; a hostile connection.json.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"
. "$(dirname "$0")/../lib/jsonview.sh"

command -v nginx >/dev/null || fail "nginx is not installed (contrib/install-deps.sh installs nginx-light)"

pebble_start
pebble_save STG
pebble_start
pebble_save PRD
STATE="$TEST_TMP/state"
WWW="$TEST_TMP/www"
CONF="$TEST_TMP/acmectl.conf"
MARKS="$TEST_TMP/deploys.log"
FAILFLAG="$TEST_TMP/hook-fails"
mkdir -p "$WWW"
: >"$MARKS"
printf 'staging-servers = %s\n' "$STG_DIR_URL" >"$CONF"

# nginx: the webroot on both VA ports, the certificate "site" on TLS_PORT
# once tls.conf is written (an empty include before)
pebble_free_port TLS_PORT
NGX="$TEST_TMP/nginx"
mkdir -p "$NGX"
: >"$NGX/tls.conf"
{
	[ "$(id -u)" != 0 ] || echo "user root;"
	cat <<NGINX
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	server {
		listen 127.0.0.1:$STG_HTTP_PORT;
		listen 127.0.0.1:$PRD_HTTP_PORT;
		root $WWW;
	}
	include $NGX/tls.conf;
}
NGINX
} >"$NGX/nginx.conf"
nginx -e "$NGX/error.log" -c "$NGX/nginx.conf" -t >"$NGX/t.log" 2>&1 ||
	fail "nginx -t: $(cat "$NGX/t.log")"
nginx -e "$NGX/error.log" -c "$NGX/nginx.conf" || fail "nginx did not start: $(cat "$NGX/error.log")"
at_exit "nginx -e '$NGX/error.log' -c '$NGX/nginx.conf' -s quit; sleep 0.3; kill \$(cat '$NGX/nginx.pid' 2>/dev/null) 2>/dev/null"
wait_for_port "$PRD_HTTP_PORT" 10 || fail "nginx is not listening on $PRD_HTTP_PORT"

# The deploy hook: one line per run (name and the live certificate), then
# nginx reloads; it fails while FAILFLAG exists.
cat >"$TEST_TMP/deploy" <<HOOK
#!/bin/sh
[ ! -e '$FAILFLAG' ] || exit 3
echo "deploy \$ACMECTL_NAME \$(openssl x509 -in "\$ACMECTL_CERT" -noout -fingerprint -sha256)" >>'$MARKS'
exec nginx -e '$NGX/error.log' -c '$NGX/nginx.conf' -s reload
HOOK
chmod 755 "$TEST_TMP/deploy"

ac() {
	run_acmectl --config "$CONF" --state-dir "$STATE" "$@"
}
fp() {
	openssl x509 -in "$1" -noout -fingerprint -sha256
}
# served_fp: the fingerprint of the certificate nginx serves on TLS_PORT
served_fp() {
	openssl s_client -connect "127.0.0.1:$TLS_PORT" -servername site.example </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null || true
}
# wait_served FP: until nginx serves FP (a reload takes effect in its own time)
wait_served() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(served_fp)" != "$1" ] || return 0
		sleep 0.1
	done
	return 1
}
deploys() {
	grep -c '^deploy site ' "$MARKS" || true
}
listed() {
	ac list --json
	python3 -c 'import json, sys
for c in json.loads(sys.argv[1]):
    if c["name"] == sys.argv[2]:
        v = c.get(sys.argv[3], "<absent>")
        print(json.dumps(v) if not isinstance(v, str) else v)' "$OUT" "$1" "$2"
}
SITE="$STATE/certs/site"

# 1. staging, with a deploy hook
ac --server "$STG_DIR_URL" --ca-bundle "$STG_CA" issue --webroot "$WWW" --email ops@site.example \
	--agree-tos --deploy-hook "$TEST_TMP/deploy" --name site site.example www.site.example
assert_rc 0 "issue on staging with a deploy hook"
assert_contains "$OUT" "(staging)" "issue says the certificate is a staging one"
assert_eq 1 "$(deploys)" "issue ran the deploy hook once"
assert_eq "$TEST_TMP/deploy" "$(json_field "$SITE/issuance.json" hooks.deploy)" "the deploy hook is remembered"
assert_eq true "$(listed site staging)" "list --json: staging true (staging-servers)"
ac list
assert_contains "$OUT" "(staging) $STG_DIR_URL" "list marks the staging certificate"
printf 'server { listen 127.0.0.1:%s ssl; ssl_certificate %s; ssl_certificate_key %s; }\n' \
	"$TLS_PORT" "$SITE/fullchain.pem" "$SITE/privkey.pem" >"$NGX/tls.conf"
nginx -e "$NGX/error.log" -c "$NGX/nginx.conf" -s reload
assert_true "nginx serves the staging certificate" wait_served "$(fp "$SITE/cert.pem")"

# 2. the same names from production: issued at once, not "not due"
STG_BEFORE=$(pebble_use STG && pebble_request_count)
ac --server "$PRD_DIR_URL" --ca-bundle "$PRD_CA" issue --email ops@site.example --agree-tos \
	--name site site.example www.site.example
assert_rc 0 "issue --server PROD for the same names"
assert_contains "$OUT" "was issued by $STG_DIR_URL; issuing from $PRD_DIR_URL" "says it moves from staging to production"
assert_not_contains "$OUT" "not due" "not treated as not due"
assert_not_contains "$ERR" "warning" "no staging warning for production over staging"
pebble_use PRD
assert_cert_issued "$SITE" site.example www.site.example
assert_eq 2 "$(deploys)" "the deploy hook ran for the production certificate"
assert_eq "$TEST_TMP/deploy" "$(json_field "$SITE/issuance.json" hooks.deploy)" "the deploy hook is still remembered"
assert_eq "$PRD_DIR_URL" "$(json_field "$SITE/issuance.json" server)" "the record names production"
assert_eq "$WWW" "$(json_field "$SITE/issuance.json" challenge.webroot)" "the webroot is kept without --webroot"
assert_true "nginx serves the production certificate after the hook's reload" wait_served "$(fp "$SITE/cert.pem")"
assert_eq false "$(listed site staging)" "list --json: staging false"
assert_eq "$STG_BEFORE" "$(pebble_use STG && pebble_request_count)" "no request went to staging"
pebble_use PRD

# 3. fewer names: refused, nothing touched
SNAP=$(state_snapshot "$STATE")
ac issue --name site site.example
assert_rc 2 "issue with fewer names for a kept certificate"
assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "one line on stderr"
assert_contains "$ERR" "site.example, www.site.example" "names the kept names"
assert_contains "$ERR" "--name OTHER" "offers --name"
assert_contains "$ERR" "--replace-names" "offers --replace-names"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "state untouched by a refused name change"

# 4. --replace-names: only those names, at once, no --force
ac issue --name site --replace-names site.example
assert_rc 0 "issue --replace-names"
assert_cert_issued "$SITE" site.example
assert_eq 3 "$(deploys)" "deploy hook ran for the replaced names"

# 5. renew --server STAGING: nothing of it is kept
STG_BEFORE=$(pebble_use STG && pebble_request_count)
pebble_use PRD
OLD=$(fp "$SITE/cert.pem")
ac renew --server "$STG_DIR_URL" --force
assert_rc 0 "renew --server STAGING --force"
assert_contains "$OUT" "no certificates kept for $STG_DIR_URL" "says none is kept for staging"
assert_eq "$OLD" "$(fp "$SITE/cert.pem")" "nothing renewed"
assert_eq "$STG_BEFORE" "$(pebble_use STG && pebble_request_count)" "no request to staging"
pebble_use PRD

# 6. renew --force: production, without --ca-bundle (remembered)
ac renew --force
assert_rc 0 "renew --force without --ca-bundle"
assert_contains "$OUT" "site: renewed (--force) by $PRD_DIR_URL" "names the server it used"
assert_ne "$OLD" "$(fp "$SITE/cert.pem")" "a new certificate"
assert_cert_issued "$SITE" site.example
assert_eq "$(readlink -f "$PRD_CA")" "$(json_field "$(pebble_account_dir "$STATE")/connection.json" ca_bundle)" \
	"--ca-bundle remembered for production"
ac account show --server "$PRD_DIR_URL"
assert_rc 0 "account show without --ca-bundle"
assert_contains "$OUT" "remembered ca_bundle: $(readlink -f "$PRD_CA")" "account show shows the remembered CA bundle"

# 7. a deploy hook failing once is run again by the next renew
ac --server "$PRD_DIR_URL" issue --webroot "$WWW" other.example
assert_rc 0 "a second certificate, without hooks"
touch "$FAILFLAG"
N=$(deploys)
ac renew --force site
assert_rc 1 "renew with a failing deploy hook"
assert_contains "$OUT" "site: renewed" "the certificate was renewed"
assert_contains "$OUT" "deploy hook \`$TEST_TMP/deploy\` failed with exit status 3" \
	"its line names the failing deploy hook"
assert_contains "$(listed site last_error)" "deploy hook" "list --json: last_error"
assert_eq true "$(listed site deploy_pending)" "list --json: deploy_pending"
ac list
assert_eq site "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d' ' -f1)" "list shows the failing certificate first"
assert_contains "$OUT" "deployment pending" "list says the deployment is pending"
rm "$FAILFLAG"
CERT=$(sha_of "$SITE/cert.pem")
ac renew
assert_rc 0 "the next renew (not due)"
assert_eq $((N + 1)) "$(deploys)" "it ran the pending deploy hook"
assert_contains "$OUT" "site: not due, valid until" "site is not due"
assert_contains "$OUT" "its pending deployment is done" "and says its pending deployment is done"
assert_eq "$CERT" "$(sha_of "$SITE/cert.pem")" "without renewing"
assert_eq null "$(listed site last_error)" "last_error cleared"
assert_eq false "$(listed site deploy_pending)" "deploy_pending cleared"
ac renew
assert_eq $((N + 1)) "$(deploys)" "a deployment done is not run again"

# 8. list --json: every field, with its value
ac list --json
assert_rc 0 "list --json"
assert_eq '["site.example"]' "$(listed site names)" "names"
assert_eq "$PRD_DIR_URL" "$(listed site server)" "server"
assert_contains "$(listed site issuer)" "Pebble Intermediate CA" "issuer"
assert_eq "$(openssl x509 -in "$SITE/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)" \
	"$(listed site serial | tr A-F a-f)" "serial"
assert_eq "$(date -u -d "$(openssl x509 -in "$SITE/cert.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" \
	"$(listed site not_after)" "not_after"
assert_eq "$(date -u -d "$(openssl x509 -in "$SITE/cert.pem" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" \
	"$(listed site not_before)" "not_before"
assert_true "days_left is a number of days" test "$(listed site days_left)" -gt 300
assert_eq false "$(listed site due)" "due"
assert_eq ec256 "$(listed site key_type)" "key_type"
assert_eq http-01 "$(listed site challenge)" "challenge"
assert_true "last_attempt is a time" test -n "$(listed site last_attempt | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T')"
assert_eq false "$(listed site revoked)" "revoked"

# 9. issue --json: one object
ac --server "$PRD_DIR_URL" issue --json --webroot "$WWW" json.example
assert_rc 0 "issue --json"
json_view
assert_eq json.example "$(jv name)" "issue --json: name"
assert_eq json.example "$(jv names)" "issue --json: names"
assert_eq "$PRD_DIR_URL" "$(jv server)" "issue --json: server"
assert_eq false "$(jv staging)" "issue --json: staging"
assert_eq "$STATE/certs/json.example/fullchain.pem" "$(jv files.fullchain)" "issue --json: files"
assert_eq "$(listed json.example not_after)" "$(jv not_after)" "issue --json: not_after"
assert_eq null "$(jv deployed)" "issue --json: deployed null without a deploy hook"
ac --server "$PRD_DIR_URL" issue --json json.example
assert_rc 0 "issue --json when not due"
assert_eq "$(listed json.example not_after)" "$(json_field "$OUT" not_after)" "issue --json when not due: the kept certificate"

# 10. --dry-run: requests made, the state byte-identical, no hook run
SNAP=$(state_snapshot "$STATE")
N=$(deploys)
BEFORE=$(pebble_request_count "POST /finalize-order/")
ac renew --dry-run --force
assert_rc 0 "renew --dry-run --force"
assert_eq 3 "$(printf '%s\n' "$OUT" | grep -c ': dry run passed: ')" "three certificates tried"
assert_contains "$OUT" "a real renewal would have saved one from $PRD_DIR_URL" "says what would have been saved"
# (>=: a finalize answered badNonce is sent again)
assert_true "three orders finalized on the server" \
	test "$(pebble_request_count "POST /finalize-order/")" -ge $((BEFORE + 3))
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "the state directory is byte-identical"
assert_eq "$N" "$(deploys)" "no deploy hook ran"
STG_BEFORE=$(pebble_use STG && pebble_request_count "POST /finalize-order/")
pebble_use PRD
ac issue --dry-run --dry-run-server "$STG_DIR_URL" --name site site.example
assert_rc 0 "issue --dry-run --dry-run-server STAGING"
assert_contains "$OUT" "dry run: $STG_DIR_URL issued site a certificate for site.example" "says which server it tried"
assert_true "the order was finalized on the dry-run server" \
	test "$(pebble_use STG && pebble_request_count "POST /finalize-order/")" -ge $((STG_BEFORE + 1))
pebble_use PRD
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "the state directory is byte-identical after issue --dry-run"
ac issue --dry-run --name site site.example www.site.example
assert_rc 2 "a dry run refuses changed names too"

# 11. staging over production: warned, done
ac --server "$STG_DIR_URL" --ca-bundle "$STG_CA" issue --email ops@site.example --agree-tos other.example
assert_rc 0 "issue --server STAGING over a production certificate"
assert_contains "$ERR" "warning: other.example: a staging certificate" "warns about staging over production"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c warning)" "warned once"

# 12. hooks given to issue for a certificate that is not due: kept, not run;
# "" forgets
JREC="$STATE/certs/json.example/issuance.json"
N=$(grep -c . "$MARKS")
ac issue --name json.example --deploy-hook "$TEST_TMP/deploy" json.example
assert_rc 0 "issue --deploy-hook for a certificate that is not due"
assert_contains "$OUT" "its new settings are kept for renewals" "says the new setting is kept"
assert_eq "$TEST_TMP/deploy" "$(json_field "$JREC" hooks.deploy)" "the hook is remembered"
assert_eq "$N" "$(grep -c . "$MARKS")" "no hook runs without a new certificate"
ac issue --name json.example --deploy-hook '' json.example
assert_rc 0 "issue --deploy-hook ''"
assert_eq "" "$(json_field "$JREC" hooks.deploy)" "the hook is forgotten"
assert_eq "$WWW" "$(json_field "$JREC" challenge.webroot)" "the webroot stays"

# 13. hostile records: no server; names with control characters
cp "$JREC" "$TEST_TMP/rec.saved"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); del d["server"]
json.dump(d, open(sys.argv[1], "w"))' "$JREC"
SNAP=$(state_snapshot "$STATE")
ac issue --name json.example json.example
assert_rc 4 "a record without a server"
assert_eq "acmectl: certificate json.example: issuance.json names no server" "$ERR" "one line naming what is wrong"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "nothing written"
cp "$TEST_TMP/rec.saved" "$JREC"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["names"] = ["json.example\u001b[31m"]
json.dump(d, open(sys.argv[1], "w"))' "$JREC"
ac issue --name json.example json.example
assert_rc 2 "kept names that differ"
assert_not_contains "$ERR" "$(printf '\033')" "the kept names are shown without their escape character"
assert_contains "$ERR" 'json.example\x1b[31m' "and with it made visible"
cp "$TEST_TMP/rec.saved" "$JREC"

# 14. a broken connection.json: one line naming it, nothing renewed
CONN="$(pebble_account_dir "$STATE")/connection.json"
cp "$CONN" "$TEST_TMP/conn.saved"
echo '{"ca_bundle": 5}' >"$CONN"
CERT=$(sha_of "$SITE/cert.pem")
ac renew --force site
assert_rc 4 "renew with a broken connection.json: a storage error, exit 4"
assert_contains "$OUT" "site: failed: cannot use $CONN" "its line names the file"
assert_eq "$CERT" "$(sha_of "$SITE/cert.pem")" "the certificate is untouched"
cp "$TEST_TMP/conn.saved" "$CONN"

test_done
