#!/bin/bash
# run-all.sh - the whole test suite, as CI runs it (.ci/run): installs what
# is missing, builds with -Werror in build/plain and with ASan + UBSan in
# build/asan, runs `make check -j2` (unit and integration tests) in both,
# then every libFuzzer target for FUZZ_SECONDS (default 10) each from its
# seed corpus (tests/fuzz/run.sh, clang build in build/fuzz), then once the
# Debian package test (tests/package/deb.sh: build, lintian, dpkg -i,
# checks, purge), prints the logs of failing tests, the 15 slowest tests
# of each make check pass, and ends with one line
# "N passed, N failed[, N skipped]". Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
START=$SECONDS

./contrib/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi || { echo "0 passed, 1 failed"; exit 1; }
fi

# count FIELD LOG: the "# FIELD: N" number of an automake test-suite.log.
count() {
	sed -n "s/^# $1: *\([0-9][0-9]*\)\$/\1/p" "$2" | head -n 1
}

# suite NAME CONFIGURE-ARGS...: configures and builds in build/NAME, runs
# make check -j2 there and adds its results to the totals.
suite() {
	local name=$1 dir="$SRC/build/$1" log trs pass fail skip t0=$SECONDS
	shift
	echo "==> $name: configure and build"
	mkdir -p "$dir"
	rm -f "$dir/test-suite.log"
	if ! (cd "$dir" && "$SRC/configure" -q "$@" >configure.out 2>&1 &&
		make -j2 >make.out 2>&1); then
		echo "==> $name: BUILD FAILED"
		tail -n 60 "$dir/configure.out" "$dir/make.out" 2>/dev/null
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		return
	fi
	echo "==> $name: make check -j2"
	(cd "$dir" && make -j2 check >check.out 2>&1)
	log="$dir/test-suite.log"
	if [ ! -f "$log" ]; then
		echo "==> $name: make check did not run the tests"
		tail -n 60 "$dir/check.out"
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		return
	fi
	pass=$(( $(count PASS "$log") + $(count XFAIL "$log") ))
	fail=$(( $(count FAIL "$log") + $(count ERROR "$log") + $(count XPASS "$log") ))
	skip=$(count SKIP "$log")
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$dir/check.out"
	if [ "$fail" -gt 0 ]; then
		for trs in $(cd "$dir" && grep -lE ':test-result: (FAIL|ERROR|XPASS)' \
			$(find . -name '*.trs' | sort)); do
			echo "==> $name: ${trs%.trs}.log"
			cat "$dir/${trs%.trs}.log"
		done
	fi
	echo "==> $name: $pass passed, $fail failed, $skip skipped in $((SECONDS - t0)) s"
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
	TOTAL_SKIP=$((TOTAL_SKIP + skip))
}

# slowest NAME: the 15 slowest tests of build/NAME's make check, from the
# wall time each test's log ends with (tests/lib/common.sh), and their sum.
slowest() {
	local dir="$SRC/build/$1"
	echo "==> $1: the 15 slowest tests (wall time, cleanup included)"
	find "$dir/tests" -name '*.log' -exec awk '
		/^# wall time: / { line = $5 " " $4 }
		END { if (line != "") print line }' {} \; 2>/dev/null |
		sort -rn | awk '
		{ sum += $1; if (NR <= 15) printf "%8.1f s  %s\n", $1, $2 }
		END { printf "%8.1f s  sum of %d timed tests\n", sum, NR }'
}

# script NAME: runs one test script outside make check (it needs no build
# of ours, and once is enough) and adds its result to the totals.
script() {
	local log="$SRC/build/$(basename "${1%.sh}").log" rc=0 t0=$SECONDS
	echo "==> $1"
	mkdir -p "$SRC/build"
	"$SRC/$1" >"$log" 2>&1 || rc=$?
	case $rc in
	0) echo "PASS: $1"; TOTAL_PASS=$((TOTAL_PASS + 1)) ;;
	77) echo "SKIP: $1"; TOTAL_SKIP=$((TOTAL_SKIP + 1)) ;;
	*) echo "FAIL: $1"; cat "$log"; TOTAL_FAIL=$((TOTAL_FAIL + 1)) ;;
	esac
	echo "==> $1: $(tail -n 1 "$log") in $((SECONDS - t0)) s"
}

suite plain --enable-werror
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	suite asan CFLAGS="-g -O1 $SAN" LDFLAGS="$SAN"
script tests/package/deb.sh

# fuzz: every fuzz target for FUZZ_SECONDS, each counted as one test.
fuzz() {
	local t0=$SECONDS secs=${FUZZ_SECONDS:-10} out last pass fail
	echo "==> fuzz: $secs s per target"
	out=$("$SRC/tests/fuzz/run.sh" "$secs" 2>&1)
	printf '%s\n' "$out"
	last=$(printf '%s\n' "$out" | tail -n 1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		pass=${BASH_REMATCH[1]}
		fail=${BASH_REMATCH[2]}
	else
		pass=0
		fail=1
	fi
	echo "==> fuzz: $pass passed, $fail failed in $((SECONDS - t0)) s"
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
}

fuzz
slowest plain
slowest asan

echo "==> suite took $((SECONDS - START)) s"
summary="$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_SKIP" = 0 ] || summary="$summary, $TOTAL_SKIP skipped"
echo "$summary"
[ "$TOTAL_FAIL" = 0 ]
