#!/bin/bash
# diagnose-slow.sh - a slow CA (tests/lib/slow_https.py: the directory
# answers after 11 s, everything else at once) under the deadlines of two
# cert-manager versions, with --timeout 15 so no per-step deadline fires
# first: 1.1.0 (whole sync 10 s) -> deadline_exceeded, stopped at 10 s, and
# cert-manager's bare "context deadline exceeded"; 1.8.1 (10 s, but the
# status write shares the expired context) -> the Ready condition stays as
# the manifest had it, only the event and log line tell; 1.9.0 (2 min) -> ok
# after the 11 s answer.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
netns_lab_begin
netns_client_server
netns_hosts client "$SERVER_IP slow.test"
netns_ca "$TEST_TMP/lab" ca
netns_cert "$TEST_TMP/lab" ca slow slow.test
netns_slow_https_start server "$SERVER_IP" 14000 "$TEST_TMP/lab/slow.pem" "$TEST_TMP/lab/slow.key" 11
assert_eq 0 "$(netns_curl_rc client --cacert "$TEST_TMP/lab/ca.pem" https://slow.test:14000/nonce)" \
	"lab check: the nonce answers at once"
assert_eq 28 "$(netns_curl_rc client --cacert "$TEST_TMP/lab/ca.pem" https://slow.test:14000/dir)" \
	"lab check: the directory does not answer within 3 s"
D=(--server https://slow.test:14000/dir --ca-bundle "$TEST_TMP/lab/ca.pem" --timeout 15)

netns_diagnose client "${D[@]}" --cert-manager-version 1.1.0
assert_verdict deadline_exceeded "11 s CA, cert-manager 1.1.0 (10 s sync)"
assert_slower 9500 "1.1.0: ran until the 10 s deadline"
assert_faster 11000 "1.1.0: stopped at the 10 s deadline"
assert_eq "Failed to verify ACME account: context deadline exceeded" "$CM_MESSAGE" \
	"1.1.0: cert-manager's message"
assert_eq true "$(json_field "$OUT" cert_manager.condition_written)" \
	"1.1.0: the condition is written (status update with a fresh context)"
CM_VERSION=$(json_field "$OUT" cert_manager.version)
assert_eq 1.1.0 "${CM_VERSION#v}" "1.1.0: the version modelled ($CM_VERSION)"

# an Issuer that was Ready before: cert-manager >= 1.3 cannot overwrite that
cat >"$TEST_TMP/issuer.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: slow-acme
spec:
  acme:
    server: https://slow.test:14000/dir
    privateKeySecretRef:
      name: slow-acme-key
status:
  conditions:
  - type: Ready
    status: "True"
    reason: ACMEAccountRegistered
    message: The ACME account was registered with the ACME server
YAML
netns_diagnose client "${D[@]}" --cert-manager-version 1.8.1 --from-issuer "$TEST_TMP/issuer.yaml"
assert_verdict deadline_exceeded "11 s CA, cert-manager 1.8.1 (10 s sync)"
assert_faster 11000 "1.8.1: stopped at the 10 s deadline"
assert_eq false "$(json_field "$OUT" cert_manager.condition_written)" \
	"1.8.1: the Ready condition is not written"
assert_eq ACMEAccountRegistered "$(json_field "$OUT" cert_manager.reason)" \
	"1.8.1: the Ready condition stays as it was"
assert_contains "$(json_field "$OUT" cert_manager.events)" \
	"Error initializing issuer: context deadline exceeded" "1.8.1: the event tells"
assert_contains "$(json_field "$OUT" cert_manager.log)" "error setting up issuer" \
	"1.8.1: the controller's log line"
assert_contains "$(json_field "$OUT" advice)" "cannot update the Ready condition" \
	"1.8.1: advice says where to look instead"

netns_diagnose client "${D[@]}" --cert-manager-version 1.9.0
assert_verdict ok "11 s CA, cert-manager 1.9.0 (2 min sync)"
assert_slower 11000 "1.9.0: waited for the 11 s directory"
assert_faster 13000 "1.9.0: done soon after it"
assert_eq ok "$(json_step "$OUT" http status)" "1.9.0: step http ok"
assert_eq ok "$(json_step "$OUT" nonce status)" "1.9.0: step nonce ok"
assert_true "1.9.0: step http took >= 11 s" test "$(json_step "$OUT" http ms)" -ge 11000

test_done
