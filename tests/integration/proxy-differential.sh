#!/bin/bash
# proxy-differential.sh - acmectl's route decision against the real
# implementations: Go's net/http with golang.org/x/net/http/httpproxy (what
# cert-manager runs; Debian's golang-go and golang-golang-x-net-dev, built
# offline) and the system's libcurl, on PROXYDIFF_CASES (default 3000)
# generated cases of proxy variables and request URLs (fixed seed,
# PROXYDIFF_SEED). Each column must agree on at least 99 % of the cases;
# every disagreeing case is printed. libcurl runs in a network namespace
# of its own with nothing but loopback, so not even a DNS query leaves.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"
require_root
command -v go >/dev/null || skip "needs golang-go"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
resolve_acmectl
BUILD=$(dirname "$ACMECTL")
SRC=$TESTS_SRCDIR/proxydiff
CASES=${PROXYDIFF_CASES:-3000}
SEED=${PROXYDIFF_SEED:-20261204}
for prog in curl_route acmectl_route; do
	[ -x "$BUILD/tests/proxydiff/$prog" ] || fail "$prog not built (make check builds it)"
done

# Offline: GOPATH mode against the Debian packages, no module proxy, in a
# network namespace with nothing but loopback.
assert_true "go_route builds offline against Debian's x/net" \
	unshare --net env GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= \
	GOCACHE="$TEST_TMP/gocache" go build -o "$TEST_TMP/go_route" "$SRC/go_route.go"
[ -x "$TEST_TMP/go_route" ] || fail "go_route did not build"

python3 "$SRC/gen_cases.py" "$SEED" "$CASES" "$TEST_TMP/cases.tsv" "$TEST_TMP/resolve.txt"
assert_eq "$CASES" "$(wc -l <"$TEST_TMP/cases.tsv")" "$CASES cases generated"

"$TEST_TMP/go_route" <"$TEST_TMP/cases.tsv" >"$TEST_TMP/go.out"
# What cert-manager calls, net/http's ProxyFromEnvironment, decides as the
# x/net package go_route reads afresh for every case: one process a case.
head -n 60 "$TEST_TMP/cases.tsv" | while IFS= read -r line; do
	printf '%s\n' "$line" | "$TEST_TMP/go_route" -stdlib
done >"$TEST_TMP/go-stdlib.out"
assert_eq "$(head -n 60 "$TEST_TMP/go.out")" "$(cat "$TEST_TMP/go-stdlib.out")" \
	"net/http's ProxyFromEnvironment routes the first 60 cases as x/net's httpproxy"
LC_ALL=C.UTF-8 unshare --net "$BUILD/tests/proxydiff/curl_route" "$TEST_TMP/resolve.txt" \
	<"$TEST_TMP/cases.tsv" >"$TEST_TMP/curl.out"
"$BUILD/tests/proxydiff/acmectl_route" <"$TEST_TMP/cases.tsv" >"$TEST_TMP/acmectl.out"
for out in go curl; do
	assert_eq "$CASES" "$(wc -l <"$TEST_TMP/$out.out")" "$out answered every case"
done
# Both sides must have taken each kind of route, or the cases test little.
assert_true "Go went through a proxy" grep -q "dial proxy.corp:" "$TEST_TMP/go.out"
assert_true "Go went direct" grep -q "dial acme.example:" "$TEST_TMP/go.out"
assert_true "curl went through a proxy" grep -q "dial 127\.0\.100\." "$TEST_TMP/curl.out"
assert_true "curl refused a request" grep -q "error " "$TEST_TMP/curl.out"

if python3 "$SRC/compare.py" "$TEST_TMP/cases.tsv" "$TEST_TMP/resolve.txt" \
	"$TEST_TMP/go.out" "$TEST_TMP/curl.out" "$TEST_TMP/acmectl.out" 99 \
	>"$TEST_TMP/compare.txt"; then
	pass_ "both columns agree on at least 99 % of $CASES cases"
else
	fail_ "a column agrees on fewer than 99 % of $CASES cases"
fi
cat "$TEST_TMP/compare.txt"
test_done
