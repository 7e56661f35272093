#!/bin/bash
# go-quote.sh - cm_go_quote() against Go's own %q: tests/lib/go_quote.go,
# built offline with Debian's golang-go, quotes a fixed set of strings
# (every byte alone, the non-printing runes cert-manager texts may carry,
# byte sequences that are no rune, and every code point in 0x1000-rune
# blocks); tests/goquote/acmectl_quote quotes the same bytes with
# acmectl's code. The outputs must be equal byte for byte, and must
# contain the escapes each rune class takes, so a Go that printed
# everything raw would not pass either. No root, no network.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"
command -v go >/dev/null || fail "go not found (contrib/install-deps.sh installs golang-go)"
resolve_acmectl
QUOTE=$(dirname "$ACMECTL")/tests/goquote/acmectl_quote
[ -x "$QUOTE" ] || fail "acmectl_quote not built (make check builds it)"

assert_true "go_quote builds offline with Debian's Go" \
	env GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$TEST_TMP/gocache" \
	go build -o "$TEST_TMP/go_quote" "$TESTS_SRCDIR/lib/go_quote.go"
[ -x "$TEST_TMP/go_quote" ] || fail "go_quote did not build"
"$TEST_TMP/go_quote" >"$TEST_TMP/go.out"
"$QUOTE" <"$TEST_TMP/go.out" >"$TEST_TMP/acmectl.out"
LINES=$(wc -l <"$TEST_TMP/go.out")
assert_eq "$LINES" "$(wc -l <"$TEST_TMP/acmectl.out")" "acmectl quoted each of Go's $LINES strings"

# Go's side must show each kind of escape, or the comparison tests little.
for want in '"\x01"' '"\x7f"' '"\xff"' '"\u0085"' '"\u00a0"' '"\u00ad"' \
	'"\u200b"' '"\u2028"' '"\ufeff"' '"\U000e0001"' '"\U0010ffff"' \
	'"\xed\xa0\x80"' '"\xf4\x90\x80\x80"' '"a\u200bb"'; do
	assert_true "Go writes $want" grep -qF -- "	$want" "$TEST_TMP/go.out"
done
assert_true "Go keeps U+FFFD raw" \
	grep -qxF -- "$(printf 'efbfbd\t"\357\277\275"')" "$TEST_TMP/go.out"
assert_true "Go keeps a combining acute raw" \
	grep -qxF -- "$(printf 'cc81\t"\314\201"')" "$TEST_TMP/go.out"

if cmp -s "$TEST_TMP/go.out" "$TEST_TMP/acmectl.out"; then
	pass_ "acmectl's quote of all $LINES strings equals Go's byte for byte"
else
	# the first differing line, both sides cut to a readable length
	n=$(cmp "$TEST_TMP/go.out" "$TEST_TMP/acmectl.out" | sed -n 's/.* line \([0-9]*\).*/\1/p')
	fail_ "acmectl's quote differs from Go's on $(diff "$TEST_TMP/go.out" \
		"$TEST_TMP/acmectl.out" | grep -c '^<') of $LINES strings" \
		"first at line $n:" \
		"go:      $(sed -n "${n}p" "$TEST_TMP/go.out" | cut -c1-300)" \
		"acmectl: $(sed -n "${n}p" "$TEST_TMP/acmectl.out" | cut -c1-300)"
fi
test_done
