#!/bin/bash
# list.sh - `acmectl list [--json]`: every certificate with its names,
# not-after, days left, due or not (by the dates or by a stored ARI window),
# server and revoked mark, from the files alone (no request); an unreadable
# certificate is shown and makes the exit code 4.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/ari.sh"

pebble_start_webroot

# entries JSON FIELDS...: one line per entry, the named fields joined by "|".
entries() {
	python3 - "$@" <<'EOF'
import json, sys
for e in json.loads(sys.argv[1]):
    out = []
    for f in sys.argv[2:]:
        v = e.get(f, "-")
        out.append(",".join(v) if isinstance(v, list) else
                   str(v).lower() if isinstance(v, bool) else str(v))
    print("|".join(out))
EOF
}

acme list
assert_rc 0 "list with no state"
assert_contains "$OUT" "no certificates in $STATE/certs" "says there are none"
acme list --json
assert_rc 0 "list --json with no state"
assert_eq "[]" "$OUT" "an empty array"

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos a.example
assert_rc 0 "issue a.example"
acme issue --webroot "$WWW" --name b b.example www.b.example
assert_rc 0 "issue b"
not_after_of() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ
}
NOT_AFTER=$(not_after_of "$STATE/certs/a.example/cert.pem")
DAYS=$((($(date -u -d "$NOT_AFTER" +%s) - $(date +%s)) / 86400))
DAYS_B=$((($(date -u -d "$(not_after_of "$STATE/certs/b/cert.pem")" +%s) - $(date +%s)) / 86400))

BEFORE=$(pebble_request_count)
acme list
assert_rc 0 "list"
assert_eq "$BEFORE" "$(pebble_request_count)" "list makes no request"
assert_eq 3 "$(printf '%s\n' "$OUT" | wc -l)" "a header and one line per certificate"
assert_contains "$(printf '%s\n' "$OUT" | head -n 1)" "NAME" "header line"
LINE_A=$(printf '%s\n' "$OUT" | grep '^a\.example ')
LINE_B=$(printf '%s\n' "$OUT" | grep '^b ')
assert_contains "$LINE_A" "$(date -u -d "$NOT_AFTER" '+%Y-%m-%d %H:%M')" "a.example: not after"
assert_contains "$LINE_A" " $DAYS " "a.example: days left ($DAYS)"
assert_contains "$LINE_A" " no " "a.example: not due"
assert_contains "$LINE_A" "$PEBBLE_DIR_URL" "a.example: server"
assert_contains "$LINE_B" "b.example,www.b.example" "b: its names"

acme list --json
assert_rc 0 "list --json"
assert_eq "a.example|a.example|$NOT_AFTER|$DAYS|false|$PEBBLE_DIR_URL|false
b|b.example,www.b.example|$(not_after_of "$STATE/certs/b/cert.pem")|$DAYS_B|false|$PEBBLE_DIR_URL|false" \
	"$(entries "$OUT" name names not_after days_left due server revoked)" \
	"--json: name, names, not_after, days_left, due, server, revoked"

# revoked mark
python3 - "$STATE/certs/b/issuance.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["revoked"] = {"at": "2026-01-01T00:00:00Z"}
json.dump(doc, open(sys.argv[1], "w"))
EOF
acme list
assert_contains "$(printf '%s\n' "$OUT" | grep '^b ')" " revoked " "b shows as revoked"
acme list --json
assert_eq "b|true|false" "$(entries "$OUT" name revoked due | grep '^b|')" "--json: revoked, not due"

# a stored ARI window that has passed makes a.example due; one ahead does not
ID=$(ari_cert_id_of "$STATE/certs/a.example/cert.pem")
cat >"$STATE/certs/a.example/ari.json" <<EOF
{"cert_id": "$ID", "renewal_info": true, "window_start": "$(rfc3339 -7200)",
 "window_end": "$(rfc3339 -3600)", "renew_at": "$(rfc3339 -5000)",
 "next_check": "$(rfc3339 3600)", "failures": 0}
EOF
acme list
assert_contains "$(printf '%s\n' "$OUT" | grep '^a\.example ')" "yes (ARI)" "due by its ARI window"
acme list --json
assert_eq "true $(json_field "$STATE/certs/a.example/ari.json" renew_at)" "$(python3 -c '
import json, sys
e = [x for x in json.loads(sys.argv[1]) if x["name"] == "a.example"][0]
print(str(e["due"]).lower(), e["ari"]["renew_at"])' "$OUT")" "--json: due, with the window's renewal point"
json_set "$STATE/certs/a.example/ari.json" renew_at "$(rfc3339 86400)"
acme list --json
assert_eq "a.example|false" "$(entries "$OUT" name due | grep '^a\.example|')" "a window ahead: not due"
# the state of another certificate does not count
json_set "$STATE/certs/a.example/ari.json" renew_at "$(rfc3339 -5000)"
json_set "$STATE/certs/a.example/ari.json" cert_id "AAAA.AQ"
acme list --json
assert_eq "a.example|false" "$(entries "$OUT" name due | grep '^a\.example|')" \
	"ARI state of another certificate is ignored"

# an unreadable certificate: shown, exit 4, the others still listed
echo garbage >"$STATE/certs/b/cert.pem"
acme list
assert_rc 4 "list with an unreadable certificate"
assert_contains "$OUT" "not a PEM certificate" "the bad one is shown with why"
assert_contains "$OUT" "a.example" "the others are still listed"
assert_contains "$ERR" "1 of 2 certificates could not be read" "summary error"
acme list --json
assert_rc 4 "list --json with an unreadable certificate"
assert_contains "$(entries "$OUT" name error | grep '^b|')" "not a PEM certificate" "--json: error member"

test_done
