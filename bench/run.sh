#!/bin/bash
# run.sh - acmectl against uacme, certbot and lego on one local Pebble:
# wall time, user+sys CPU, peak RSS and HTTP requests per issuance, medians
# of interleaved runs, written to bench/RESULTS.md. See bench/README.md.
#
# Needs root: apt-get for what is missing, and a private mount namespace in
# which uacme (libcurl-gnutls, no CA option) sees Pebble's CA as the system
# bundle. Every server it starts listens on 127.0.0.1 and every client talks
# only to them: nothing leaves the machine.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)

RUNS=${BENCH_RUNS:-5}
LEGO_RUNS=${BENCH_LEGO_RUNS:-3}
RENEW_RUNS=${BENCH_RENEW_RUNS:-1}
RENEW_CERTS=${BENCH_RENEW_CERTS:-100}
RENEW_CERTS_CERTBOT=${BENCH_RENEW_CERTS_CERTBOT:-25}
RENEW_CERTS_LEGO=${BENCH_RENEW_CERTS_LEGO:-10}
DELAY_MS=${BENCH_DELAY_MS:-50}
DUE_NONE_CERTS=${BENCH_DUE_NONE_CERTS:-10000}
RENEW_RTT_CERTS=${BENCH_RENEW_RTT_CERTS:-100}
RENEW_RTT_PARALLEL=${BENCH_RENEW_RTT_PARALLEL:-10}
SCENARIOS=${BENCH_SCENARIOS:-one ten one-rtt ten-rtt renew due-none renew-rtt}
CLIENTS=${BENCH_CLIENTS:-acmectl uacme certbot lego}
REV=${BENCH_REV:-HEAD}
ACMECTL_CFLAGS=${BENCH_CFLAGS:--O2 -g}
OUT=${BENCH_OUT:-$BENCH/out}
RESULTS=${BENCH_RESULTS:-$BENCH/RESULTS.md}
EMAIL=bench@acmectl.example
read -ra CLIENT_LIST <<<"$CLIENTS"

[ "$RENEW_CERTS_CERTBOT" -le "$RENEW_CERTS" ] || RENEW_CERTS_CERTBOT=$RENEW_CERTS
[ "$RENEW_CERTS_LEGO" -le "$RENEW_CERTS" ] || RENEW_CERTS_LEGO=$RENEW_CERTS

say() {
	printf '[%4ds] %s\n' "$SECONDS" "$*" >&2
}

die() {
	echo "bench: $*" >&2
	exit 1
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# install_missing: apt-get installs the clients, Pebble and the build and
# measuring tools that are not there yet.
install_missing() {
	local pkgs=()
	local peer
	for peer in uacme certbot lego; do
		case " $CLIENTS " in *" $peer "*) have "$peer" || pkgs+=("$peer") ;; esac
	done
	{ have pebble && have pebble-challtestsrv; } || pkgs+=(pebble)
	have python3 || pkgs+=(python3)
	python3 -c 'import cryptography' 2>/dev/null || pkgs+=(python3-cryptography)
	have valgrind || pkgs+=(valgrind)
	have curl || pkgs+=(curl)
	have openssl || pkgs+=(openssl)
	have ss || pkgs+=(iproute2)
	have unshare || pkgs+=(util-linux)
	have autoreconf || pkgs+=(autoconf)
	have automake || pkgs+=(automake)
	have make || pkgs+=(make)
	have cc || pkgs+=(gcc)
	have pkg-config || pkgs+=(pkg-config)
	have git || pkgs+=(git)
	pkg-config --exists libssl 2>/dev/null || pkgs+=(libssl-dev)
	pkg-config --exists libcurl 2>/dev/null || pkgs+=(libcurl4-openssl-dev)
	pkg-config --exists jansson 2>/dev/null || pkgs+=(libjansson-dev)
	pkg-config --exists yaml-0.1 2>/dev/null || pkgs+=(libyaml-dev)
	[ ${#pkgs[@]} -gt 0 ] || return 0
	say "apt-get install ${pkgs[*]}"
	{ apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; } \
		>"$OUT/apt.log" 2>&1 || die "apt-get install failed, see $OUT/apt.log"
}

# build_acmectl: builds acmectl from commit $REV (git archive), or from the
# work tree's tracked files when REV=worktree, in $OUT/build; sets ACMECTL.
build_acmectl() {
	local src="$OUT/src" build="$OUT/build"
	rm -rf "$src" "$build"
	mkdir -p "$src" "$build"
	if [ "$REV" = worktree ]; then
		(cd "$REPO" && git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
			tar -x -C "$src"
		ACMECTL_REV="$(git -C "$REPO" rev-parse --short HEAD) + uncommitted changes"
	else
		git -C "$REPO" archive "$REV" | tar -x -C "$src"
		ACMECTL_REV=$(git -C "$REPO" rev-parse --short "$REV")
		ACMECTL_REV="$ACMECTL_REV ($(git -C "$REPO" log -1 --format=%s "$REV" | cut -c1-72))"
	fi
	say "building acmectl $ACMECTL_REV (CFLAGS=$ACMECTL_CFLAGS)"
	{ (cd "$src" && autoreconf -fi) &&
		(cd "$build" && "$src/configure" -q CFLAGS="$ACMECTL_CFLAGS" &&
			make -j"$(nproc)" acmectl); } >"$OUT/build.log" 2>&1 ||
		die "acmectl did not build, see $OUT/build.log"
	ACMECTL="$build/acmectl"
	MEASURE="$OUT/measure"
	cc -O2 -Wall -Wextra -o "$MEASURE" "$BENCH/measure.c" >>"$OUT/build.log" 2>&1 ||
		die "bench/measure.c did not build, see $OUT/build.log"
	cc -O2 -Wall -Wextra -o "$OUT/syscall-floor" "$BENCH/syscall-floor.c" >>"$OUT/build.log" 2>&1 ||
		die "bench/syscall-floor.c did not build, see $OUT/build.log"
}

# rss_floor CMD...: peak RSS in KiB of CMD under measure (a floor for the
# clients' figures: the measuring process's own pages and shared libraries).
rss_floor() {
	"$MEASURE" --out "$OUT/floor.m" -- "$@" >/dev/null 2>&1 || true
	awk '{ print $5 }' "$OUT/floor.m"
}

# in_ca_namespace CMD...: runs CMD in a private mount namespace where the
# system CA bundle is Pebble's test CA. uacme has no CA option and its
# libcurl-gnutls reads no environment variable for one.
in_ca_namespace() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m -- sh -c 'mount --bind "$0" /etc/ssl/certs/ca-certificates.crt && exec "$@"' \
		"$PEBBLE_CA" "$@"
}

server_url() {
	case "$1" in
	relay) echo "$RELAY_DIR_URL" ;;
	*) echo "$PEBBLE_DIR_URL" ;;
	esac
}

# names SCENARIO CLIENT COUNT: COUNT names, one a line, all resolving to
# 127.0.0.1 through challtestsrv.
names() {
	local i
	for ((i = 1; i <= $3; i++)); do
		echo "$2-$i.$1.bench.example"
	done
}

# issue_cmd CLIENT STATE URL NAME...: sets CMD (and WRAP, what runs around
# the measuring) to one forced issuance of NAMEs, webroot http-01, EC P-256.
issue_cmd() {
	local client=$1 state=$2 url=$3 n
	shift 3
	WRAP=()
	case "$client" in
	acmectl)
		CMD=("$ACMECTL" -v --server "$url" --ca-bundle "$PEBBLE_CA" --state-dir "$state"
			issue --force --webroot "$WWW" "$@") ;;
	uacme)
		WRAP=(in_ca_namespace)
		CMD=(uacme -v -a "$url" -c "$state" -t EC -b 256 -o -f -h "$BENCH/uacme-hook.sh"
			issue "$@") ;;
	certbot)
		CMD=(certbot certonly --config-dir "$state/conf" --work-dir "$state/work"
			--logs-dir "$state/logs" --server "$url" --non-interactive --webroot -w "$WWW"
			--key-type ecdsa --elliptic-curve secp256r1 --force-renewal --cert-name "$1")
		for n in "$@"; do CMD+=(-d "$n"); done ;;
	lego)
		CMD=(lego --server "$url" --path "$state" --email "$EMAIL" --accept-tos
			--key-type ec256 --http --http.webroot "$WWW")
		for n in "$@"; do CMD+=(-d "$n"); done
		CMD+=(run) ;;
	esac
}

# renew_cmd CLIENT STATE LIST: sets CMD, WRAP and EACH to a forced renewal
# of every certificate named in LIST (one name a line), the client's own
# way: acmectl renew --force, certbot renew --force-renewal (one process
# each); uacme and lego renew one certificate per invocation (EACH=LIST).
renew_cmd() {
	local client=$1 state=$2 list=$3 url=$PEBBLE_DIR_URL
	WRAP=()
	EACH=
	case "$client" in
	acmectl)
		if [ "$ACMECTL_RENEW" = native ]; then
			CMD=("$ACMECTL" -v --server "$url" --ca-bundle "$PEBBLE_CA" --state-dir "$state"
				renew --force)
		else
			EACH=$list
			CMD=("$ACMECTL" -v --server "$url" --ca-bundle "$PEBBLE_CA" --state-dir "$state"
				issue --force --webroot "$WWW" "{}")
		fi ;;
	uacme)
		EACH=$list
		WRAP=(in_ca_namespace)
		CMD=(uacme -v -a "$url" -c "$state" -t EC -b 256 -o -f -h "$BENCH/uacme-hook.sh"
			issue "{}") ;;
	certbot)
		CMD=(certbot renew --config-dir "$state/conf" --work-dir "$state/work"
			--logs-dir "$state/logs" --non-interactive --force-renewal
			--no-random-sleep-on-renew) ;;
	lego)
		EACH=$list
		CMD=(lego --server "$url" --path "$state" --email "$EMAIL" --accept-tos
			--key-type ec256 --http --http.webroot "$WWW" -d "{}"
			renew --days 100000 --no-random-sleep) ;;
	esac
}

# register CLIENT STATE URL: the client's account on Pebble, made before
# any timing (lego has no register command: its warm-up run registers).
register() {
	local client=$1 state=$2 url=$3 log
	log="$WORK/register-$1-$(basename "$2").log"
	mkdir -p "$state"
	case "$client" in
	acmectl)
		"$ACMECTL" --server "$url" --ca-bundle "$PEBBLE_CA" --state-dir "$state" \
			account register --email "$EMAIL" --agree-tos ;;
	uacme)
		in_ca_namespace uacme -a "$url" -c "$state" -t EC -b 256 -y new "$EMAIL" ;;
	certbot)
		certbot register --config-dir "$state/conf" --work-dir "$state/work" \
			--logs-dir "$state/logs" --server "$url" --non-interactive --agree-tos \
			-m "$EMAIL" --no-eff-email ;;
	lego) ;;
	esac >"$log" 2>&1 || die "$client: account registration failed, see $log"
}

# untimed LOG: runs WRAP + CMD without measuring (set-up and warm-up).
untimed() {
	"${WRAP[@]}" "${CMD[@]}" >"$1" 2>&1
}

# request_breakdown FROM TO: Pebble's requests FROM+1..TO by kind, as
# "dir nonce account neworder authz chall order-before-finalize finalize
# order-after-finalize cert other" counts.
request_breakdown() {
	grep -F -- '-> calling handler()' "$PEBBLE_LOG" | sed -n "$(($1 + 1)),$2p" | awk '
		{ p = $5 }
		p == "/dir" { c[1]++; next }
		p ~ /^\/nonce-plz/ { c[2]++; next }
		p ~ /^\/(sign-me-up|my-account\/)/ { c[3]++; next }
		p ~ /^\/order-plz/ { c[4]++; next }
		p ~ /^\/authZ\// { c[5]++; next }
		p ~ /^\/chalZ\// { c[6]++; next }
		p ~ /^\/my-order\// { if (fin) c[9]++; else c[7]++; next }
		p ~ /^\/finalize-order\// { c[8]++; fin = 1; next }
		p ~ /^\/certZ\// { c[10]++; fin = 0; next }
		{ c[11]++ }
		END { for (i = 1; i <= 11; i++) printf "%d%s", c[i], i < 11 ? "\t" : "\n" }'
}

# timed SCENARIO CLIENT RUN CERTS: runs WRAP + measure + CMD (once, or
# once per line of EACH) and appends a row to runs.tsv. A run counts as ok
# when it exits 0 and Pebble served at least CERTS certificate downloads.
timed() {
	local scenario=$1 client=$2 run=$3 certs=$4 tag="$1-$2-$3" before after m rc breakdown
	local each=()
	[ -z "${EACH:-}" ] || each=(--each "$EACH")
	before=$(pebble_request_count .)
	"${WRAP[@]}" "$MEASURE" --out "$RUNDIR/$tag.m" "${each[@]}" -- \
		"${CMD[@]}" >"$RUNDIR/$tag.log" 2>&1 || true
	after=$(pebble_request_count .)
	m=$(cat "$RUNDIR/$tag.m" 2>/dev/null || echo "127 0 0 0 0")
	breakdown=$(request_breakdown "$before" "$after")
	rc=${m%% *}
	if [ "$rc" = 0 ] && [ "$(echo "$breakdown" | cut -f10)" -lt "$certs" ]; then
		rc=fewcerts
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$client" "$run" "$rc" \
		"$(echo "${m#* }" | tr ' ' '\t')" "$((after - before))" "$certs" "$breakdown" \
		>>"$OUT/runs.tsv"
	say "  $tag: rc $rc, $(echo "$m" | awk '{ printf "wall %.2f s, cpu %.3f s, rss %.1f MiB", $2, $3 + $4, $5 / 1024 }'), $((after - before)) requests"
	[ "$rc" = 0 ] || say "  $tag FAILED, see $RUNDIR/$tag.log"
}

# rotated RUN WORD...: WORDs rotated left by RUN, so no client always goes
# first (or always runs right after the slow one).
rotated() {
	local run=$1 i n
	shift
	n=$#
	local words=("$@")
	for ((i = 0; i < n; i++)); do
		printf '%s ' "${words[$(((i + run) % n))]}"
	done
}

runs_for() {
	case "$1" in
	lego) echo $((LEGO_RUNS < RUNS ? LEGO_RUNS : RUNS)) ;;
	*) echo "$RUNS" ;;
	esac
}

# scenario_issue SCENARIO WHERE COUNT: RUNS rounds, each client once a
# round, the order rotating; NAMEs are the same every run (forced).
scenario_issue() {
	local scenario=$1 where=$2 count=$3 run client url
	local -a list
	url=$(server_url "$where")
	say "scenario $scenario: $count name(s) via $url, $RUNS runs (lego $LEGO_RUNS)"
	for ((run = 1; run <= RUNS; run++)); do
		for client in $(rotated "$run" "${CLIENT_LIST[@]}"); do
			[ "$run" -le "$(runs_for "$client")" ] || continue
			mapfile -t list < <(names "$scenario" "$client" "$count")
			issue_cmd "$client" "$WORK/$client/$where" "$url" "${list[@]}"
			timed "$scenario" "$client" "$run" 1
		done
	done
}

# prepare WHERE: registers every client on the server of WHERE and runs one
# untimed issuance each (lego registers there), so timing starts warm.
prepare() {
	local where=$1 client url
	url=$(server_url "$where")
	say "registering and warming up the clients on $url"
	for client in $CLIENTS; do
		register "$client" "$WORK/$client/$where" "$url"
		issue_cmd "$client" "$WORK/$client/$where" "$url" "warmup-$client.$where.bench.example"
		untimed "$WORK/warmup-$client-$where.log" ||
			die "$client: warm-up issuance failed, see $WORK/warmup-$client-$where.log"
	done
}

renew_count() {
	case "$1" in
	certbot) echo "$RENEW_CERTS_CERTBOT" ;;
	lego) echo "$RENEW_CERTS_LEGO" ;;
	*) echo "$RENEW_CERTS" ;;
	esac
}

# renew_setup CLIENT: registers CLIENT in its own state and issues its
# certificates for the renew scenario (untimed, one name each).
renew_setup() {
	local client=$1 state="$WORK/$1/renew" name_file="$WORK/renew-$1.names" name
	register "$client" "$state" "$PEBBLE_DIR_URL"
	names renew "$client" "$(renew_count "$client")" >"$name_file"
	while read -r name; do
		issue_cmd "$client" "$state" "$PEBBLE_DIR_URL" "$name"
		untimed "$WORK/renew-setup-$client.log" || {
			echo "$client: issuing $name failed, see $WORK/renew-setup-$client.log" >&2
			return 1
		}
	done <"$name_file"
}

# scenario_due_none: acmectl renew with nothing due for DUE_NONE_CERTS kept
# certificates, generated locally by gen-certs.py (a local CA, not Pebble:
# issuing 10,000 would take hours), so the run needs no network at all.
# due-none is the usual run, with the renew digest the run before wrote;
# due-none-cold the first one, with no digest yet (each cold run removes it
# first, and writes it again for the warm run after it).
scenario_due_none() {
	local state="$WORK/acmectl/due-none" run mode
	rm -f "$OUT/due-none-floor.txt"
	say "scenario due-none: generating $DUE_NONE_CERTS certificates (gen-certs.py, untimed)"
	rm -rf "$state"
	mkdir -p "$state"
	chmod 700 "$state"
	python3 "$BENCH/gen-certs.py" "$state" "$DUE_NONE_CERTS" "$PEBBLE_DIR_URL" ||
		die "gen-certs.py failed"
	# the digest takes no row from files changed under 2 s before a run
	sleep 3
	WRAP=()
	EACH=
	CMD=("$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$state" renew)
	untimed "$WORK/due-none-warmup.log" || die "due-none warm-up failed, see $WORK/due-none-warmup.log"
	[ -s "$state/renew-digest" ] || die "the due-none warm-up wrote no renew digest"
	for ((run = 1; run <= RUNS; run++)); do
		rm -f "$state/renew-digest"
		timed due-none-cold acmectl "$run" 0
		timed due-none acmectl "$run" 0
		# the floor under them: the same system calls and nothing else
		for mode in renew cold reads; do
			"$MEASURE" --out "$OUT/floor.m" -- "$OUT/syscall-floor" "$state" "$mode" >/dev/null 2>&1 ||
				die "syscall-floor $mode failed"
			echo "$mode $(cat "$OUT/floor.m")" >>"$OUT/due-none-floor.txt"
		done
	done
	say "  syscall floor (mode rc wall user sys maxrss): $(tr '\n' ';' <"$OUT/due-none-floor.txt")"
}

# scenario_renew_rtt: renew --force of RENEW_RTT_CERTS one-name
# certificates kept for the relay's URL (100 ms RTT), one order at a time
# (--parallel 1) and RENEW_RTT_PARALLEL at once over the one connection.
scenario_renew_rtt() {
	local state="$WORK/acmectl/renew-rtt" name run
	say "scenario renew-rtt: issuing $RENEW_RTT_CERTS certificates through the relay (untimed)"
	register acmectl "$state" "$RELAY_DIR_URL"
	while read -r name; do
		issue_cmd acmectl "$state" "$RELAY_DIR_URL" "$name"
		untimed "$WORK/renew-rtt-setup.log" || die "issuing $name failed, see $WORK/renew-rtt-setup.log"
	done < <(names renew-rtt acmectl "$RENEW_RTT_CERTS")
	WRAP=()
	EACH=
	for ((run = 1; run <= RENEW_RUNS; run++)); do
		CMD=("$ACMECTL" -v --server "$RELAY_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$state"
			renew --force --parallel 1)
		timed renew-rtt-1 acmectl "$run" "$RENEW_RTT_CERTS"
		CMD=("$ACMECTL" -v --server "$RELAY_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$state"
			renew --force --parallel "$RENEW_RTT_PARALLEL")
		timed renew-rtt-n acmectl "$run" "$RENEW_RTT_CERTS"
	done
}

scenario_renew() {
	local client run pids=() failed=0 pid
	say "scenario renew: setting up $RENEW_CERTS certificates (certbot $RENEW_CERTS_CERTBOT, lego $RENEW_CERTS_LEGO), clients in parallel, untimed"
	for client in $CLIENTS; do
		renew_setup "$client" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || failed=1
	done
	[ "$failed" = 0 ] || die "renew set-up failed"
	say "scenario renew: $RENEW_RUNS run(s); acmectl renew: $ACMECTL_RENEW"
	for ((run = 1; run <= RENEW_RUNS; run++)); do
		for client in $(rotated "$run" "${CLIENT_LIST[@]}"); do
			renew_cmd "$client" "$WORK/$client/renew" "$WORK/renew-$client.names"
			timed renew "$client" "$run" "$(renew_count "$client")"
		done
	done
	EACH=
}

# probe_renew: "native" when this acmectl has a working renew command (with
# no certificates it must exit 0 without any network), else "issue-loop".
probe_renew() {
	local empty="$WORK/renew-probe"
	mkdir -p "$empty"
	if "$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$empty" \
		renew --force >"$WORK/renew-probe.log" 2>&1; then
		echo native
	else
		echo issue-loop
	fi
}

# trace WHERE COUNT [TAG]: one untimed acmectl issuance with every stderr line
# time-stamped: the request timeline RESULTS.md reads its "why" from.
trace() {
	local where=$1 count=$2 tag=${3:-$1} url
	local -a list
	url=$(server_url "$where")
	mapfile -t list < <(names "trace-$tag" acmectl "$count")
	issue_cmd acmectl "$WORK/acmectl/$where" "$url" "${list[@]}"
	"$MEASURE" --out "$OUT/trace-$tag.m" --stamp "$OUT/trace-$tag.txt" -- \
		"${CMD[@]}" >/dev/null 2>&1 || say "trace $tag failed, see $OUT/trace-$tag.txt"
}

callgrind() {
	local -a list
	mapfile -t list < <(names callgrind acmectl 10)
	issue_cmd acmectl "$WORK/acmectl/direct" "$PEBBLE_DIR_URL" "${list[@]}"
	say "callgrind: one 10-name acmectl issuance"
	if valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
		"${CMD[@]}" >"$OUT/callgrind.log" 2>&1; then
		callgrind_annotate --auto=no --inclusive=no "$OUT/callgrind.out" >"$OUT/callgrind-self.txt" 2>&1 || true
		callgrind_annotate --auto=no --inclusive=yes "$OUT/callgrind.out" >"$OUT/callgrind-incl.txt" 2>&1 || true
	else
		say "callgrind run failed, see $OUT/callgrind.log"
		rm -f "$OUT/callgrind.out"
	fi
}

pkg_version() {
	dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown
}

write_meta() {
	{
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "acmectl_rev=$ACMECTL_REV"
		echo "acmectl_version=$("$ACMECTL" --version 2>&1 | head -n 1)"
		echo "acmectl_cflags=$ACMECTL_CFLAGS"
		echo "acmectl_renew=$ACMECTL_RENEW"
		echo "uacme=$(pkg_version uacme)"
		echo "certbot=$(pkg_version certbot)"
		echo "lego=$(pkg_version lego)"
		echo "pebble=$(pkg_version pebble)"
		echo "openssl=$(openssl version | cut -d' ' -f2)"
		echo "libcurl=$(curl --version | head -n 1 | cut -d' ' -f2)"
		echo "nproc=$(nproc)"
		echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
		echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "kernel=$(uname -sr)"
		echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
		echo "runs=$RUNS"
		echo "lego_runs=$LEGO_RUNS"
		echo "renew_runs=$RENEW_RUNS"
		echo "renew_certs=$RENEW_CERTS"
		echo "renew_certs_certbot=$RENEW_CERTS_CERTBOT"
		echo "renew_certs_lego=$RENEW_CERTS_LEGO"
		echo "delay_ms=$DELAY_MS"
		echo "due_none_certs=$DUE_NONE_CERTS"
		echo "renew_rtt_certs=$RENEW_RTT_CERTS"
		echo "renew_rtt_parallel=$RENEW_RTT_PARALLEL"
		echo "relay_check=$RELAY_CHECK"
		echo "scenarios=$SCENARIOS"
		echo "clients=$CLIENTS"
		echo "rss_true_kib=$(rss_floor /bin/true)"
		echo "rss_acmectl_version_kib=$(rss_floor "$ACMECTL" --version)"
		echo "duration_s=$SECONDS"
	} >"$OUT/meta.env"
}

# relay_start: the delaying relay in front of Pebble; checks that Pebble's
# directory names the relay's port (Pebble builds its URLs from the Host
# header) and measures what one fresh HTTPS GET through it costs.
relay_start() {
	local pebble_port=${PEBBLE_DIR_URL#https://localhost:} t
	pebble_port=${pebble_port%%/*}
	pebble_free_port RELAY_PORT
	spawn RELAY_PID "$WORK/relay.log" python3 "$BENCH/../tests/lib/delay_relay.py" "$RELAY_PORT" "$pebble_port" "$DELAY_MS"
	wait_for_port "$RELAY_PORT" 10 || die "relay did not start: $(cat "$WORK/relay.log")"
	RELAY_DIR_URL="https://localhost:$RELAY_PORT/dir"
	curl -sf --cacert "$PEBBLE_CA" "$RELAY_DIR_URL" | grep -q "\"https://localhost:$RELAY_PORT/order-plz\"" ||
		die "Pebble's directory through the relay does not name the relay's port"
	t=$(curl -sf -o /dev/null --cacert "$PEBBLE_CA" -w '%{time_appconnect} %{time_total}' "$RELAY_DIR_URL")
	RELAY_CHECK="a new HTTPS GET through the relay: TLS up after ${t% *} s, response after ${t#* } s (3 round trips of $((2 * DELAY_MS)) ms expected: TCP, TLS 1.3, GET)"
}

main() {
	[ "$(id -u)" = 0 ] || die "run as root (apt-get; uacme needs a mount namespace to trust Pebble's CA)"
	mkdir -p "$OUT"
	install_missing
	build_acmectl

	WORK="$OUT/work"
	RUNDIR="$OUT/runs"
	rm -rf "$WORK" "$RUNDIR" "$OUT/runs.tsv" "$OUT"/trace-* "$OUT"/callgrind*
	mkdir -p "$WORK" "$RUNDIR"
	WWW="$WORK/www"
	export BENCH_WEBROOT="$WWW"

	# shellcheck source=../tests/lib/pebble.sh
	. "$REPO/tests/lib/pebble.sh"
	# shellcheck disable=SC2016 # expanded at exit
	at_exit 'cp "$PEBBLE_LOG" "$OUT/pebble.log" 2>/dev/null'
	export PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
	pebble_start >&2
	# not webroot_start (python3 -m http.server): its listen backlog of 5
	# drops the SYNs of concurrent validations, see tests/lib/webroot.py
	mkdir -p "$WWW"
	spawn WEBROOT_PID "$WORK/webroot.log" python3 "$BENCH/../tests/lib/webroot.py" "$WWW" "$PEBBLE_HTTP_PORT"
	wait_for_port "$PEBBLE_HTTP_PORT" 10 || die "webroot server did not start: $(cat "$WORK/webroot.log")"
	relay_start
	export REQUESTS_CA_BUNDLE="$PEBBLE_CA" LEGO_CA_CERTIFICATES="$PEBBLE_CA"
	ACMECTL_RENEW=$(probe_renew)

	printf 'scenario\tclient\trun\trc\twall\tuser\tsys\tmaxrss_kib\trequests\tcerts\tdir\tnonce\taccount\tneworder\tauthz\tchall\torder_pre\tfinalize\torder_post\tcert\tother\n' \
		>"$OUT/runs.tsv"

	case " $SCENARIOS " in *" one "* | *" ten "*) prepare direct ;; esac
	case " $SCENARIOS " in *" ten-rtt "* | *" one-rtt "*) prepare relay ;; esac
	case " $SCENARIOS " in *" one "*) scenario_issue one direct 1 ;; esac
	case " $SCENARIOS " in *" ten "*) scenario_issue ten direct 10 ;; esac
	case " $SCENARIOS " in *" one-rtt "*) scenario_issue one-rtt relay 1 ;; esac
	case " $SCENARIOS " in *" ten-rtt "*) scenario_issue ten-rtt relay 10 ;; esac
	case " $SCENARIOS " in *" renew "*) scenario_renew ;; esac
	case " $SCENARIOS " in *" due-none "*) scenario_due_none ;; esac
	case " $SCENARIOS " in *" renew-rtt "*) scenario_renew_rtt ;; esac

	case " $CLIENTS " in
	*" acmectl "*)
		case " $SCENARIOS " in *" one "* | *" ten "*) trace direct 10 ;; esac
		case " $SCENARIOS " in *" ten-rtt "*) trace relay 10 ;; esac
		case " $SCENARIOS " in *" one-rtt "*) trace relay 1 relay-one ;; esac
		case " $SCENARIOS " in *" one "* | *" ten "*) callgrind ;; esac ;;
	esac

	write_meta
	python3 "$BENCH/report.py" "$OUT" "$RESULTS"
	say "wrote $RESULTS (raw data in $OUT)"
}

main "$@"
