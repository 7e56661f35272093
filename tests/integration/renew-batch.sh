#!/bin/bash
# renew-batch.sh - `renew` renews up to --parallel certificates side by side
# on one session: each step goes out for the whole batch (Pebble sees all of
# a batch's newOrders before its first finalize; with --parallel 1 they
# alternate), one directory, no account lookup, one newOrder, finalize and
# download per certificate; one order failing validation does not stop the
# others and keeps its previous certificate; certificates answering through
# one standalone address share one responder; a server that goes away
# fails the remaining batches at once.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot

# newOrder and finalize requests since line FROM of Pebble's log, in order,
# as one string of letters: o for a newOrder, f for a finalize.
order_finalize_sequence() {
	tail -n +"$1" "$PEBBLE_LOG" | grep -F -- '-> calling handler()' |
		sed -n 's|.*POST /order-plz .*|o|p; s|.*POST /finalize-order/.*|f|p' | tr -d '\n'
}

log_lines() {
	wc -l <"$PEBBLE_LOG"
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos b1.example
assert_rc 0 "issue b1.example"
for n in b2 b3 b4; do
	acme issue --webroot "$WWW" "$n.example" "www.$n.example"
	assert_rc 0 "issue $n.example"
done

# four certificates, --parallel 4: one batch
BEFORE=$(pebble_request_count)
FROM=$(($(log_lines) + 1))
acme -v renew --force --parallel 4
assert_rc 0 "renew --force of 4 certificates with --parallel 4"
assert_eq "ooooffff" "$(order_finalize_sequence "$FROM")" \
	"the batch's four newOrders all precede its first finalize"
for n in b1 b2 b3 b4; do
	assert_contains "$OUT" "$n.example: renewed (--force)" "$n.example renewed"
done
assert_cert_issued "$STATE/certs/b2.example" b2.example www.b2.example
REQS=$(($(pebble_request_count) - BEFORE))
assert_contains "$ERR" "requests: $REQS" "acmectl's request count equals Pebble's ($REQS)"
assert_contains "$ERR" "connections: 1," "one connection for the batch"
SEQ=$(tail -n +"$FROM" "$PEBBLE_LOG" | grep -F -- '-> calling handler()')
assert_eq 0 "$(grep -c 'GET /dir' <<<"$SEQ" || true)" "no directory request (the one the issuances kept is used)"
assert_eq 0 "$(grep -c 'POST /sign-me-up' <<<"$SEQ" || true)" "no account lookup (the URL is stored)"
assert_eq 4 "$(grep -c 'POST /finalize-order/' <<<"$SEQ")" "one finalize per certificate"
assert_eq 4 "$(grep -c 'POST /certZ/' <<<"$SEQ")" "one download per certificate"
assert_eq 7 "$(grep -c 'POST /authZ/' <<<"$SEQ")" "one authorization fetch per name"
assert_true "at most one HEAD newNonce" test "$(grep -c 'HEAD /nonce-plz' <<<"$SEQ" || true)" -le 1

# the same with --parallel 1: one certificate after the other
FROM=$(($(log_lines) + 1))
acme renew --force --parallel 1 b1.example b2.example
assert_rc 0 "renew --force --parallel 1 of 2 certificates"
assert_eq "ofof" "$(order_finalize_sequence "$FROM")" "with --parallel 1 the orders alternate"

# one order of a batch fails validation: its webroot is not the served one
mkdir -p "$TEST_TMP/unserved"
acme issue --webroot "$WWW" bad.example
assert_rc 0 "issue bad.example"
python3 - "$STATE/certs/bad.example/issuance.json" "$TEST_TMP/unserved" <<'PY'
import json, sys
path, webroot = sys.argv[1], sys.argv[2]
rec = json.load(open(path))
rec["challenge"]["webroot"] = webroot
json.dump(rec, open(path, "w"))
PY
pebble_new_account
BAD_SHA=$(sha_of "$STATE/certs/bad.example/fullchain.pem")
B3_SHA=$(sha_of "$STATE/certs/b3.example/fullchain.pem")
FROM=$(($(log_lines) + 1))
acme renew --force --parallel 3 bad.example b3.example b4.example
assert_rc 1 "a batch with one failing order exits 1"
assert_contains "$OUT" "bad.example: failed: " "the failed certificate is reported"
assert_contains "$OUT" "validation of bad.example failed" "with the validation error"
assert_contains "$OUT" "b3.example: renewed" "b3.example renewed in the same batch"
assert_contains "$OUT" "b4.example: renewed" "b4.example renewed in the same batch"
assert_eq "ooo" "$(order_finalize_sequence "$FROM" | cut -c1-3)" "the three orders went out together"
assert_eq "$BAD_SHA" "$(sha_of "$STATE/certs/bad.example/fullchain.pem")" \
	"the failed certificate's previous files are untouched"
assert_ne "$B3_SHA" "$(sha_of "$STATE/certs/b3.example/fullchain.pem")" "b3.example has a new certificate"
assert_eq "" "$(challenge_files "$WWW")" "no challenge file left in the webroot"
assert_eq "" "$(challenge_files "$TEST_TMP/unserved")" "no challenge file left in the other webroot"

# standalone: three certificates answering on one address share one responder
webroot_stop
for n in s1 s2 s3; do
	acme issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" "$n.example"
	assert_rc 0 "issue --standalone $n.example"
done
FROM=$(($(log_lines) + 1))
acme renew --force --parallel 3 s1.example s2.example s3.example
assert_rc 0 "renew of 3 standalone certificates in one batch"
assert_eq "oooff" "$(order_finalize_sequence "$FROM" | cut -c1-5)" "the standalone batch went out together"
assert_cert_issued "$STATE/certs/s3.example" s3.example
assert_false "standalone port released after the batch" port_in_use "$PEBBLE_HTTP_PORT"

# kill_pebble: the command that stops Pebble and returns once it is gone
# (the next request must find no server, not a Pebble still exiting)
kill_pebble() {
	printf '{ kill %s && tail --pid=%s -f /dev/null; }' "$PEBBLE_PID" "$PEBBLE_PID"
}

# the server goes away during a run (the first batch's deploy hook stops
# Pebble): the second batch fails on the network, the third fails at once
# without trying again
acme -v renew --force --parallel 1 --deploy-hook "$(kill_pebble)" s1.example s2.example s3.example
assert_rc 3 "renew exits 3 when the server goes away during the run (every failure a network one)"
assert_contains "$OUT" "s1.example: renewed" "the first batch was renewed"
assert_contains "$OUT" "s2.example: failed: " "the second batch failed"
assert_contains "$OUT" "s3.example: failed: " "the third batch failed"
assert_eq 2 "$(grep -c 'POST .*/order-plz direct' <<<"$ERR")" \
	"newOrder was tried by the first two batches only"
assert_eq "$(sed -n 's/^s2.example: failed: //p' <<<"$OUT")" "$(sed -n 's/^s3.example: failed: //p' <<<"$OUT")" \
	"the third batch reports the second one's network error"

# the server goes away in the middle of a batch (the dns hook of the first
# order stops Pebble): the next request fails, and the requests left in
# that step are not tried again
pebble_stop
pebble_start
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register at a new Pebble"
challtest_dns_hook "$TEST_TMP/dnshook" "[ ! -e '$TEST_TMP/kill-pebble' ] || $(kill_pebble)"
for n in d1 d2 d3; do
	acme issue --dns-hook "$TEST_TMP/dnshook" "$n.example"
	assert_rc 0 "issue $n.example through the dns hook"
done
pebble_new_account
touch "$TEST_TMP/kill-pebble"
acme -v renew --force --parallel 3 d1.example d2.example d3.example
assert_rc 3 "renew exits 3 when the server goes away during a batch"
for n in d1 d2 d3; do
	assert_contains "$OUT" "$n.example: failed: " "$n.example failed"
done
assert_eq 2 "$(grep -c 'POST .*/authZ/.* direct' <<<"$ERR")" \
	"the third authorization was not fetched once the second found no server"
assert_eq 1 "$(grep -c 'POST .*/authZ/.* -> no response' <<<"$ERR")" \
	"one authorization fetch met the missing server"

test_done
