#!/bin/bash
# completion.sh - contrib/bash-completion/acmectl: commands, subcommands,
# options per command, option values (split and unsplit --opt=VALUE), files
# and directories for FILE and DIR options, certificate names for renew and
# revoke. Then checks it against the binary: the options it offers are
# exactly those of `acmectl --help`, and for every command it offers exactly
# the options acmectl accepts there. No network, no Pebble.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"

# shellcheck source=../../contrib/bash-completion/acmectl
. "$(dirname "$0")/../../contrib/bash-completion/acmectl"

# compopt works only inside a completion bash itself started: record the
# options asked for instead.
COMPOPT=''
compopt() {
	COMPOPT="$COMPOPT $*"
}

# complete_words WORD...: runs the completion with the cursor at the end of
# the last WORD (give '' to start a new word), as bash would call it; sets
# GOT to the candidates joined by spaces.
complete_words() {
	COMP_WORDS=(acmectl "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	COMPOPT=''
	_acmectl acmectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	GOT="${COMPREPLY[*]}"
}

# expect "WORD..." EXPECTED: the candidates for the words, in order. A
# trailing space (or nothing) completes a new, empty word.
expect() {
	local -a words
	read -ra words <<<"$1"
	[[ -z $1 || $1 == *' ' ]] && words+=('')
	complete_words "${words[@]}"
	assert_eq "$2" "$GOT" "complete 'acmectl $1'"
}

# expect_files "WORD..." EXPECTED: the same for file names, which come in
# directory order: compared sorted.
expect_files() {
	local -a words
	read -ra words <<<"$1"
	[[ $1 == *' ' ]] && words+=('')
	complete_words "${words[@]}"
	GOT=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	assert_eq "$2 " "$GOT" "complete 'acmectl $1'"
}

assert_contains "$(complete -p acmectl)" "-F _acmectl" "complete -p acmectl names _acmectl"

# commands and subcommands
expect "" "account issue renew list revoke delete proxy diagnose help"
expect "help " "account issue renew list revoke delete proxy diagnose"
expect "help re" "renew revoke"
expect "help account r" "register rollover"
expect "help issue " ""
expect "re" "renew revoke"
expect "account " "register show rollover deactivate update export import"
expect "account r" "register rollover"
expect "-v account de" "deactivate"
expect "proxy " "explain"
expect "proxy explain " "https:// http://"
assert_contains "$COMPOPT" "nospace" "no space after a URL scheme"

# options per command, global ones anywhere
expect "issue --we" "--webroot"
expect "--state-dir /srv issue --d" "--dns-hook --dns-wait --dns-resolver --deadline --deploy-hook --dry-run --dry-run-server"
expect "renew --d" "--days --deploy-hook --dns-resolver --deadline --dry-run --dry-run-server"
expect "renew --dry-run --dry-run-server letsencrypt-" "letsencrypt-staging"
expect "issue --re" "--replace-names --reuse-key"
expect "renew --h" "--help --hook-timeout"
expect "issue --hook-timeout " ""
expect "account register --eab-" "--eab-kid --eab-hmac-key --eab-alg"
expect "account deactivate --y" "--yes"
expect "account export --n" "--no-proxy --no-env-proxy --name --namespace"
expect "account export --kind " "ClusterIssuer Issuer"
expect "account export --kind=I" "--kind=Issuer"
expect "diagnose --from" "--from-issuer"
expect "diagnose --dns-" "--dns-hook"
expect "list --j" "--json"
expect "--no-" "--no-proxy --no-env-proxy"
complete_words renew --
assert_not_contains " $GOT " " --webroot " "renew does not offer --webroot"
assert_contains " $GOT " " --proxy-rules " "renew offers the global --proxy-rules"

# option values: the next word, "--opt" "=" "VALUE" (bash splits at '='),
# and a whole "--opt=VALUE" word
expect "issue --key-type " "ec256 ec384 rsa2048 rsa3072 rsa4096"
complete_words issue --key-type = rsa
assert_eq "rsa2048 rsa3072 rsa4096" "$GOT" "complete 'issue --key-type=rsa' split at ="
complete_words issue --key-type =
assert_eq "ec256 ec384 rsa2048 rsa3072 rsa4096" "$GOT" "complete 'issue --key-type=' split at ="
complete_words issue --key-type=ec
assert_eq "--key-type=ec256 --key-type=ec384" "$GOT" "complete the whole word 'issue --key-type=ec'"
expect "--proxy-rules " "go curl"
expect "account register --eab-alg HS" "HS256 HS384 HS512"
expect "revoke --reason key" "keyCompromise"
expect "--server letsencrypt" "letsencrypt letsencrypt-staging"
expect "--server buypass" "buypass buypass-test"
expect "--server goo" "google google-staging"
expect "issue --name " ""
expect "issue --days" ""
expect "renew --days 10 --f" "--force"

# files for FILE options, directories for DIR options
mkdir -p "$TEST_TMP/files/www" "$TEST_TMP/files/state/certs" "$TEST_TMP/files/state/archive/a.example/1" \
	"$TEST_TMP/files/state/archive/b.example/1"
: >"$TEST_TMP/files/csr.pem"
: >"$TEST_TMP/files/ca.pem"
ln -s ../archive/a.example/1 "$TEST_TMP/files/state/certs/a.example"
ln -s ../archive/b.example/1 "$TEST_TMP/files/state/certs/b.example"
cd "$TEST_TMP/files"
expect_files "issue --csr c" "ca.pem csr.pem"
assert_contains "$COMPOPT" "filenames" "FILE completion asks for -o filenames"
expect_files "--ca-bundle=c" "--ca-bundle=ca.pem --ca-bundle=csr.pem"
expect_files "issue --webroot " "state www"
expect "diagnose --secret cs" "csr.pem"
expect "account export -o cs" "csr.pem"

# certificate names from the state directory given on the line
expect "--state-dir $TEST_TMP/files/state renew " "a.example b.example"
expect "renew --state-dir=$TEST_TMP/files/state a" "a.example"
expect "revoke --state-dir $TEST_TMP/files/state b" "b.example"
expect "delete --state-dir $TEST_TMP/files/state a" "a.example"
expect "delete --y" "--yes"
expect "list --m" "--metrics"
expect "issue --reuse" "--reuse-key"
cd "$TEST_TMP"

# the completion and the binary agree
resolve_acmectl
help_opts=$("$ACMECTL" --help | grep -oE -- '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-zA-Z0-9-]*' |
	sed -E 's/^[^-]*//' | grep -vxE -- '--opt|-vv' | sort -u | tr '\n' ' ')
commands=("account register" "account show" "account rollover" "account deactivate"
	"account update" "account export" "account import" issue renew list revoke delete "proxy explain"
	diagnose)
offered=$(for c in "${commands[@]}"; do
	# shellcheck disable=SC2086 # $c is the command's words
	complete_words $c -
	printf '%s\n' "${COMPREPLY[@]}"
done | sort -u | tr '\n' ' ')
assert_eq "$help_opts" "$offered" "the options offered are those of acmectl --help"

# For each command, each option: acmectl says "not valid for" exactly when
# the completion does not offer it. The trailing --timeout 0 is a usage
# error after the option is checked, so nothing ever runs.
for c in "${commands[@]}"; do
	# shellcheck disable=SC2086 # $c is the command's words
	complete_words $c -
	mine=" ${COMPREPLY[*]} "
	wrong=''
	for o in $help_opts; do
		case $o in -h | --help | -V | --version) continue ;; esac
		args=("$o")
		[[ $_acmectl_value_opts == *" $o "* ]] && args+=(x)
		rc=0
		# shellcheck disable=SC2086 # $c is the command's words
		err=$("$ACMECTL" --state-dir "$TEST_TMP/none" $c "${args[@]}" --timeout 0 2>&1 >/dev/null) || rc=$?
		if [ "$rc" != 2 ]; then
			wrong="$wrong $o(exit $rc)"
		elif [[ $err == *"not valid for"* ]]; then
			[[ $mine == *" $o "* ]] && wrong="$wrong +$o"
		else
			[[ $mine == *" $o "* ]] || wrong="$wrong -$o"
		fi
	done
	assert_eq "" "$wrong" "'$c' offers exactly the options acmectl accepts for it"
done

test_done
