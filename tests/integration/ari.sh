#!/bin/bash
# ari.sh - renewal information (RFC 9773) through the ari_server.py front
# before Pebble: the window is asked for when a certificate is not due by
# its dates, at most as often as Retry-After allows (clamped to 1 min..1
# day, 6 h without one, backoff after errors); a window in the future means
# not due; a window in the past renews with "replaces" naming the old
# certificate; a refused "replaces" is dropped and the order retried; the
# new certificate's window is asked for at once; the checks due in one run
# are asked together, each answer kept with its certificate; a finalize
# answer's Retry-After sets the first poll.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/ari.sh"

pebble_start_webroot
ari_start
CERT="$STATE/certs/ari.example"

# now_plus_near ACTUAL OFFSET: ACTUAL (RFC 3339) is within 60 s of now+OFFSET.
near() {
	local got want
	got=$(date -u -d "$1" +%s 2>/dev/null || echo 0)
	want=$(($(date +%s) + $2))
	[ "$got" -ge $((want - 60)) ] && [ "$got" -le $((want + 5)) ]
}

# in_window TIME START END: START <= TIME < END (all RFC 3339).
in_window() {
	local t s e
	t=$(date -u -d "$1" +%s) s=$(date -u -d "$2" +%s) e=$(date -u -d "$3" +%s)
	[ "$t" -ge "$s" ] && [ "$t" -lt "$e" ]
}

ari_acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos ari.example
assert_rc 0 "issue through the ARI front"
ID=$(ari_cert_id_of "$CERT/cert.pem")
assert_contains "$ID" "." "the certificate has an ARI identifier ($ID)"
assert_eq 1 "$(ari_events "^RENEWALINFO $ID\$")" "issue asks for the new certificate's window at once"
assert_eq "$ID" "$(json_field "$CERT/ari.json" cert_id)" "issue leaves ari.json for renew"
# start the renew scenarios from a certificate with no ARI state yet
rm "$CERT/ari.json"

# Window 30..31 days ahead, Retry-After 3600: asked once, not due
W_START=$(rfc3339 $((30 * 86400)))
W_END=$(rfc3339 $((31 * 86400)))
ari_window "$W_START" "$W_END" 3600
ORDERS=$(ari_events '^NEWORDER .* -> 201$')
ari_acme renew
assert_rc 0 "renew with a window in the future"
assert_eq 2 "$(ari_events "^RENEWALINFO $ID\$")" "renewalInfo asked once more, for the certificate's identifier"
assert_eq "$ORDERS" "$(ari_events '^NEWORDER .* -> 201$')" "no order"
A="$CERT/ari.json"
assert_eq "$ID" "$(json_field "$A" cert_id)" "ari.json is about this certificate"
assert_eq true "$(json_field "$A" renewal_info)" "ari.json: the server offers renewalInfo"
assert_true "ari.json: the renewal point lies in the window" \
	in_window "$(json_field "$A" renew_at)" "$(json_field "$A" window_start)" "$(json_field "$A" window_end)"
assert_true "ari.json: next check is Retry-After (3600 s) away" near "$(json_field "$A" next_check)" 3600
RENEW_AT=$(json_field "$A" renew_at)
assert_eq "acmectl: 1 certificate checked, none due (next: ari.example on $(date -u -d "$RENEW_AT" '+%Y-%m-%d %H:%M UTC'))" \
	"$OUT" "one summary line, naming the renewal point ARI chose (before the dates' one)"

# Before the next check: no request at all, not even to the front
BEFORE=$(wc -l <"$ARI_LOG")
PEBBLE_BEFORE=$(pebble_request_count)
ari_acme -v renew
assert_rc 0 "renew before the next check"
assert_contains "$OUT" "ari.example: not due" "-v: a line per certificate"
assert_contains "$OUT" "ARI window" "-v: the line shows the ARI window"
assert_eq "$BEFORE" "$(wc -l <"$ARI_LOG")" "no request to the front before Retry-After has passed"
assert_eq "$PEBBLE_BEFORE" "$(pebble_request_count)" "no request to Pebble either"

# The next check comes (time passes): asked again, the same window keeps its
# point; a tiny Retry-After is clamped to one minute
json_set "$A" next_check "$(rfc3339 -10)"
ari_window "$W_START" "$W_END" 5
ari_acme renew
assert_rc 0 "renew when the next check has come"
assert_eq 3 "$(ari_events "^RENEWALINFO $ID\$")" "renewalInfo asked a third time"
assert_eq "$RENEW_AT" "$(json_field "$A" renew_at)" "the same window keeps its renewal point"
assert_true "Retry-After 5 is treated as 60 s" near "$(json_field "$A" next_check)" 60

# No Retry-After: six hours; a huge one: one day
json_set "$A" next_check "$(rfc3339 -10)"
ari_window "$W_START" "$W_END" ""
ari_acme renew
assert_true "no Retry-After: next check in 6 h" near "$(json_field "$A" next_check)" 21600
json_set "$A" next_check "$(rfc3339 -10)"
ari_window "$W_START" "$W_END" 9999999
ari_acme renew
assert_true "Retry-After 9999999 is treated as one day" near "$(json_field "$A" next_check)" 86400

# The front fails: not due, a warning, exit 0, and a backoff of an hour
json_set "$A" next_check "$(rfc3339 -10)"
ari_window "$W_START" "$W_END" 3600 '"status": 500'
ari_acme renew
assert_rc 0 "renew when renewalInfo fails"
assert_contains "$ERR" "warning: ari.example: no renewal information" "warns"
assert_contains "$OUT" "none due (next: ari.example on" "still not due"
assert_eq 1 "$(json_field "$A" failures)" "the failure is counted"
assert_true "retried after an hour" near "$(json_field "$A" next_check)" 3600
assert_eq "$RENEW_AT" "$(json_field "$A" renew_at)" "the known window is kept"

# A window that has passed: renewed at once, with "replaces" = the old id
json_set "$A" next_check "$(rfc3339 -10)"
ari_window $((-2 * 86400)) $((-86400)) 3600
ari_acme list
assert_contains "$OUT" "ari.example" "list before the check"
OLD_CERT=$(sha_of "$CERT/cert.pem")
ari_acme renew
assert_rc 0 "renew when the window has passed"
assert_contains "$OUT" "ari.example: renewed (in the CA's renewal window (ARI))" "renewed because of ARI"
assert_eq 1 "$(ari_events "^NEWORDER replaces=$ID -> 201\$")" "the new order names the old certificate in replaces"
assert_eq $((ORDERS + 1)) "$(ari_events '^NEWORDER .* -> 201$')" "one order"
assert_ne "$OLD_CERT" "$(sha_of "$CERT/cert.pem")" "a new certificate"
assert_cert_issued "$CERT" ari.example
ID2=$(ari_cert_id_of "$CERT/cert.pem")
assert_ne "$ID" "$ID2" "the new certificate has a new identifier"
assert_eq 1 "$(ari_events "^RENEWALINFO $ID2\$")" "the new certificate's window is asked for at once"
assert_eq "$ID2" "$(json_field "$A" cert_id)" "the new generation's ari.json is about the new certificate"

# ... and since the front still says "past", list shows it due by ARI
ari_acme list
assert_contains "$OUT" "yes (ARI)" "list: due by ARI"

# The server refuses "replaces" (alreadyReplaced): ordered again without it
ari_window $((-2 * 86400)) $((-86400)) 3600 '"reject_replaces": true'
ari_acme renew
assert_rc 0 "renew when the server refuses replaces"
assert_eq 1 "$(ari_events "^NEWORDER replaces=$ID2 -> 409\$")" "the first order named the certificate and was refused"
assert_eq $((ORDERS + 2)) "$(ari_events '^NEWORDER .* -> 201$')" "one more order created"
assert_eq "NEWORDER replaces=$ID2 -> 409
NEWORDER replaces=- -> 201" "$(grep '^NEWORDER' "$ARI_LOG" | grep -v ' -> 400$' | tail -n 2)" \
	"then one order without replaces"
assert_contains "$ERR" "alreadyReplaced" "says why it ordered again"
assert_cert_issued "$CERT" ari.example
ID3=$(ari_cert_id_of "$CERT/cert.pem")

# Window in the future again: the third certificate is not due, and a
# forced renewal still names its predecessor
ari_window $((30 * 86400)) $((31 * 86400)) 3600
json_set "$A" next_check "$(rfc3339 -10)"
ari_acme -v renew
assert_contains "$OUT" "ari.example: not due" "not due with the window ahead"
ari_acme renew --force
assert_rc 0 "renew --force"
assert_eq 1 "$(ari_events "^NEWORDER replaces=$ID3 -> 201\$")" "a forced renewal also sends replaces"

# Two certificates whose checks are due: one renew asks about both, and
# each one's answer lands in its own ari.json
ari_acme issue --webroot "$WWW" ari2.example
assert_rc 0 "issue a second certificate"
ID4=$(ari_cert_id_of "$CERT/cert.pem")
ID5=$(ari_cert_id_of "$STATE/certs/ari2.example/cert.pem")
json_set "$A" next_check "$(rfc3339 -10)"
json_set "$STATE/certs/ari2.example/ari.json" next_check "$(rfc3339 -10)"
ari_window $((40 * 86400)) $((41 * 86400)) 7200
B4=$(ari_events "^RENEWALINFO $ID4\$") B5=$(ari_events "^RENEWALINFO $ID5\$")
ari_acme -v renew
assert_rc 0 "renew with two checks due"
assert_contains "$OUT" "ari.example: not due" "the first is not due"
assert_contains "$OUT" "ari2.example: not due" "the second is not due"
assert_eq $((B4 + 1)) "$(ari_events "^RENEWALINFO $ID4\$")" "asked about the first"
assert_eq $((B5 + 1)) "$(ari_events "^RENEWALINFO $ID5\$")" "asked about the second"
for f in "$A" "$STATE/certs/ari2.example/ari.json"; do
	assert_true "${f#"$STATE"/}: the new window is recorded" \
		in_window "$(json_field "$f" renew_at)" "$(rfc3339 $((40 * 86400 - 60)))" "$(rfc3339 $((41 * 86400)))"
	assert_true "${f#"$STATE"/}: next check is Retry-After (7200 s) away" near "$(json_field "$f" next_check)" 7200
done
assert_eq "$ID5" "$(json_field "$STATE/certs/ari2.example/ari.json" cert_id)" \
	"the second ari.json is about the second certificate"

# A finalize answered with Retry-After 2 (as Let's Encrypt answers with 3):
# the first order fetch after it waits the 2 s
ari_window $((40 * 86400)) $((41 * 86400)) 7200 '"finalize_retry_after": "2"'
FROM=$(($(wc -l <"$ARI_LOG") + 1))
ari_acme issue --force --webroot "$WWW" ari2.example
assert_rc 0 "issue with Retry-After on finalize"
GAP=$(tail -n +"$FROM" "$ARI_LOG" | awk '$1 == "FINALIZE" { f = $2 } $1 == "ORDER" && f != "" { printf "%.3f", $2 - f; exit }')
assert_true "the first poll after finalize waited Retry-After (gap ${GAP:-none} s)" \
	awk -v g="${GAP:-0}" 'BEGIN { exit !(g >= 1.95) }'

test_done
