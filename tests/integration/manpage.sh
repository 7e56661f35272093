#!/bin/bash
# manpage.sh - doc/acmectl.1 documents every command and option of
# `acmectl --help`, every configuration file key of src/cmd/conf.c, every exit
# status, and renders without warnings (mandoc -T lint when installed, else
# groff). No network, no Pebble.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
PAGE=$SRC/doc/acmectl.1
resolve_acmectl
HELP=$("$ACMECTL" --help)

# options: as mdoc writes them, ".Fl \-name" or "Fl v"
missing=''
for o in $(printf '%s\n' "$HELP" | grep -oE -- '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-zA-Z0-9-]*' |
	sed -E 's/^[^-]*//' | grep -vxE -- '--opt|-vv' | sort -u); do
	if [[ $o == --* ]]; then
		grep -qF -- "Fl \\${o#-}" "$PAGE" || missing="$missing $o"
	else
		grep -qE -- "Fl ${o#-}( |\$)" "$PAGE" || missing="$missing $o"
	fi
done
assert_eq "" "$missing" "every option of --help is in the manual"

# commands: a subsection each (and the usage line names them all)
missing=''
for c in "account register" "account show" "account rollover" "account deactivate" \
	"account update" "account export" "account import" issue renew list revoke delete \
	"proxy explain" diagnose; do
	[[ $HELP == *"  $c "* ]] || missing="$missing '$c'(--help)"
	grep -qxF ".Ss $c" "$PAGE" || missing="$missing '$c'"
done
assert_eq "" "$missing" "--help lists and the manual has a subsection for every command"

# configuration keys: the rows of the keys[] table in conf.c
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", apply_[a-z_]* },$/\1/p' "$SRC/src/cmd/conf.c")
assert_eq 8 "$(printf '%s\n' "$keys" | grep -c .)" "conf.c's table has its 8 keys"
missing=''
for k in $keys; do
	grep -qxF ".It Cm $k" "$PAGE" || missing="$missing $k"
done
assert_eq "" "$missing" "every configuration key is documented"

# exit statuses of --help
codes=$(printf '%s\n' "$HELP" | sed -n 's/^  \([0-9]\)  .*/\1/p' | tr '\n' ' ')
assert_eq "0 1 2 3 4 " "$codes" "--help lists exit statuses 0 to 4"
missing=''
for n in $codes; do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$PAGE" | grep -qxF ".It $n" || missing="$missing $n"
done
assert_eq "" "$missing" "every exit status of --help is documented"

# renders cleanly
if command -v mandoc >/dev/null; then
	out=$(mandoc -T lint -W warning "$PAGE" 2>&1) || true
	assert_eq "" "$out" "mandoc -T lint finds nothing"
elif command -v groff >/dev/null; then
	out=$(groff -mandoc -Tutf8 -ww -z "$PAGE" 2>&1) || true
	assert_eq "" "$out" "groff renders without warnings"
fi

test_done
