#!/bin/bash
# run.sh SECONDS [BUILD-DIR] - runs every libFuzzer target tests/fuzz/fuzz_NAME
# for SECONDS each, starting from the seed corpus tests/fuzz/corpus/NAME/, and
# fails on any crash, leak, timeout (an input taking over 60 s: the bound is
# loose because CI machines are loaded), out-of-memory or sanitizer report.
#
# Without BUILD-DIR it configures build/fuzz (CC=clang --enable-fuzz
# --enable-werror) when needed and builds the targets there. Targets run
# FUZZ_JOBS at a time (default 2). New inputs they find go to a scratch
# directory, never into the checked-in corpus; what made a target fail is
# kept in BUILD-DIR/fuzz-artifacts/ and reproduced by running the target
# on that file. Prints one line per target, then "N passed, N failed".
set -uo pipefail

usage() {
	echo "usage: $0 SECONDS [BUILD-DIR]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in '' | *[!0-9]* | 0) usage ;; esac
SECS=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${2:-$SRC/build/fuzz}
JOBS=${FUZZ_JOBS:-2}
CORPUS=$SRC/tests/fuzz/corpus
ARTIFACTS=$BUILD/fuzz-artifacts

# The targets are the fuzz_*.c files; each must have its seed corpus.
targets=()
for c in "$SRC"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$c" .c)
	name=${name#fuzz_}
	if [ -z "$(ls -A "$CORPUS/$name" 2>/dev/null)" ]; then
		echo "run.sh: tests/fuzz/fuzz_$name.c has no seed corpus in tests/fuzz/corpus/$name/"
		echo "0 passed, 1 failed"
		exit 1
	fi
	targets+=("$name")
done

build() {
	mkdir -p "$BUILD" || return 1
	if [ ! -f "$BUILD/Makefile" ]; then
		(cd "$BUILD" && "$SRC/configure" -q CC=clang --enable-fuzz --enable-werror) \
			>"$BUILD/configure.out" 2>&1 || { tail -n 30 "$BUILD/configure.out"; return 1; }
	fi
	(cd "$BUILD" && make -j2 "${targets[@]/#/tests/fuzz/fuzz_}") \
		>"$BUILD/fuzz-make.out" 2>&1 || { tail -n 60 "$BUILD/fuzz-make.out"; return 1; }
}

# run_one NAME: fuzzes one target; writes "pass"/"fail" and one line of
# what happened to $SCRATCH/NAME.result, its log to $SCRATCH/NAME.log.
run_one() {
	local name=$1 bin="$BUILD/tests/fuzz/fuzz_$1" work="$SCRATCH/$1" rc=0 runs found
	mkdir -p "$work/corpus" "$work/artifacts"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$SECS" -timeout=60 -report_slow_units=3600 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" "$CORPUS/$name" >"$SCRATCH/$name.log" 2>&1 </dev/null || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$SCRATCH/$name.log" | tail -n 1)
	found=$(ls "$work/artifacts")
	if [ "$rc" = 0 ] && [ -z "$found" ] &&
		! grep -qE 'ERROR: (Address|Leak|Memory|Undefined)Sanitizer|runtime error:|ERROR: libFuzzer' \
			"$SCRATCH/$name.log"; then
		echo "pass fuzz_$name: ${runs:-?} inputs in $SECS s, no crash, leak or sanitizer report" \
			>"$SCRATCH/$name.result"
	else
		mkdir -p "$ARTIFACTS"
		for f in $found; do
			cp "$work/artifacts/$f" "$ARTIFACTS/fuzz_$name-$f"
		done
		cp "$SCRATCH/$name.log" "$ARTIFACTS/fuzz_$name.log"
		echo "fail fuzz_$name: exit $rc after ${runs:-?} inputs;${found:+ $(echo "$found" |
			sed "s|^|$ARTIFACTS/fuzz_$name-|" | tr '\n' ' ')} log in $ARTIFACTS/fuzz_$name.log" \
			>"$SCRATCH/$name.result"
	fi
}

if ! command -v clang >/dev/null 2>&1 && [ $# -lt 2 ]; then
	echo "run.sh: clang not found (contrib/install-deps.sh installs clang and libclang-rt-14-dev)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! build; then
	echo "run.sh: building the fuzz targets in $BUILD failed"
	echo "0 passed, 1 failed"
	exit 1
fi
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/acmectl-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT

running=0
for name in "${targets[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$name" &
	running=$((running + 1))
done
wait

pass=0
fail=0
for name in "${targets[@]}"; do
	read -r verdict line <"$SCRATCH/$name.result" || verdict=fail line="fuzz_$name: no result"
	echo "$line"
	if [ "$verdict" = pass ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -E -A 30 'ERROR: |runtime error:|==[0-9]+==' "$SCRATCH/$name.log" | head -n 60 | sed 's/^/    /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
