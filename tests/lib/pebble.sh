# pebble.sh - a throwaway Pebble ACME server and pebble-challtestsrv on
# loopback, one per test (sourced, bash; sources common.sh).
#
# pebble_start picks free ports, makes a CA and a localhost/127.0.0.1 server
# certificate with openssl, starts pebble-challtestsrv (mock DNS: every name
# is 127.0.0.1) and Pebble (PEBBLE_VA_NOSLEEP=1; PEBBLE_WFE_NONCEREJECT,
# PEBBLE_AUTHZREUSE, ... are passed on when the caller sets them; with
# PEBBLE_DNS_SERVER=ADDR:PORT its VA asks that DNS server instead of
# challtestsrv; with PEBBLE_EAB_KEYS="KID=KEY ..." it requires external
# account binding with those MAC keys), waits for the directory and exports:
#   PEBBLE_DIR_URL    https://localhost:PORT/dir
#   PEBBLE_CA         the CA file to give acmectl with --ca-bundle
#   PEBBLE_MGMT       https://localhost:PORT of Pebble's management API
#   PEBBLE_HTTP_PORT  where Pebble's VA fetches http-01 tokens (127.0.0.1)
#   PEBBLE_TLS_PORT   where Pebble's VA makes tls-alpn-01 handshakes (127.0.0.1)
#   CHALLTEST_MGMT    http://127.0.0.1:PORT of challtestsrv's management API
#   PEBBLE_LOG        Pebble's log file
# Both servers are stopped by pebble_stop and, whatever happens, at exit.
# A test that needs two CAs (one playing staging, one production) starts
# one, keeps it with pebble_save NAME, starts the next, and switches between
# them with pebble_use NAME.

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEBBLE_PID=
CHALLTEST_PID=
PEBBLE_PORTS_TAKEN=" "
PEBBLE_STARTS=0
PEBBLE_VARS="PEBBLE_DIR_URL PEBBLE_MGMT PEBBLE_HTTP_PORT PEBBLE_TLS_PORT CHALLTEST_MGMT PEBBLE_CA PEBBLE_LOG PEBBLE_PID CHALLTEST_PID"

# pebble_free_port VAR: stores in VAR a TCP/UDP port in 20000-59999 that
# nothing on this machine uses and this test has not handed out yet. Random,
# so tests running in parallel rarely pick the same; pebble_start retries if
# they do.
pebble_free_port() {
	local _used _port _i
	_used=" $(ss -Htuan 2>/dev/null | awk '{ n = split($5, a, ":"); printf "%s ", a[n] }') "
	for ((_i = 0; _i < 200; _i++)); do
		_port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case "$_used$PEBBLE_PORTS_TAKEN" in *" $_port "*) continue ;; esac
		port_in_use "$_port" && continue
		PEBBLE_PORTS_TAKEN="$PEBBLE_PORTS_TAKEN$_port "
		printf -v "$1" '%s' "$_port"
		return 0
	done
	fail "no free port found"
}

# pebble_make_certs DIR: a throwaway CA (DIR/ca.pem) and a server certificate
# for localhost and 127.0.0.1 (DIR/server.pem, DIR/server.key).
pebble_make_certs() {
	local d=$1
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=acmectl test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign >"$d/openssl.log" 2>&1 ||
		fail "openssl: test CA: $(cat "$d/openssl.log")"
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$d/server.key" -out "$d/server.csr" -subj /CN=localhost \
		>>"$d/openssl.log" 2>&1 || fail "openssl: server CSR: $(cat "$d/openssl.log")"
	printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
		'extendedKeyUsage=serverAuth' 'basicConstraints=critical,CA:FALSE' \
		'keyUsage=critical,digitalSignature' >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$d/server.ext" \
		-out "$d/server.pem" >>"$d/openssl.log" 2>&1 ||
		fail "openssl: server certificate: $(cat "$d/openssl.log")"
}

# pebble_try_start DIR: one attempt with fresh ports; 0 when Pebble answers.
pebble_try_start() {
	local d=$1 port mgmt_port http_port tls_port dns_port cts_port i eab_required eab_keys kv
	pebble_free_port port
	pebble_free_port mgmt_port
	pebble_free_port http_port
	pebble_free_port tls_port
	pebble_free_port dns_port
	pebble_free_port cts_port
	# PEBBLE_EAB_KEYS="KID=B64URLKEY ...": external account binding required
	# with these MAC keys (base64url without padding, as Pebble reads them)
	eab_required=false
	eab_keys=
	for kv in ${PEBBLE_EAB_KEYS:-}; do
		eab_required=true
		eab_keys="$eab_keys${eab_keys:+, }\"${kv%%=*}\": \"${kv#*=}\""
	done

	cat >"$d/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$port",
    "managementListenAddress": "127.0.0.1:$mgmt_port",
    "certificate": "$d/server.pem",
    "privateKey": "$d/server.key",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $eab_required,
    "externalAccountMACKeys": {$eab_keys}
  }
}
EOF
	spawn CHALLTEST_PID "$d/challtestsrv.log" pebble-challtestsrv \
		-http01 "" -https01 "" -tlsalpn01 "" \
		-dns01 "127.0.0.1:$dns_port" -management "127.0.0.1:$cts_port" \
		-defaultIPv4 127.0.0.1 -defaultIPv6 ""
	PEBBLE_LOG="$d/pebble.log"
	spawn PEBBLE_PID "$PEBBLE_LOG" env PEBBLE_VA_NOSLEEP=1 \
		pebble -config "$d/pebble-config.json" -dnsserver "${PEBBLE_DNS_SERVER:-127.0.0.1:$dns_port}"

	PEBBLE_DIR_URL="https://localhost:$port/dir"
	PEBBLE_MGMT="https://localhost:$mgmt_port"
	PEBBLE_HTTP_PORT=$http_port
	PEBBLE_TLS_PORT=$tls_port
	CHALLTEST_MGMT="http://127.0.0.1:$cts_port"
	PEBBLE_CA="$d/ca.pem"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$PEBBLE_PID" 2>/dev/null || return 1
		kill -0 "$CHALLTEST_PID" 2>/dev/null || return 1
		if curl -sf --max-time 2 --cacert "$PEBBLE_CA" -o /dev/null "$PEBBLE_DIR_URL" &&
			curl -s --max-time 2 -o /dev/null "$CHALLTEST_MGMT/"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# pebble_start: starts Pebble and challtestsrv (see the top of this file).
pebble_start() {
	local d="$TEST_TMP/pebble" attempt v
	[ -z "$PEBBLE_PID" ] || fail "pebble_start: Pebble is already running (pebble_save it first)"
	PEBBLE_STARTS=$((PEBBLE_STARTS + 1))
	[ "$PEBBLE_STARTS" = 1 ] || d="$TEST_TMP/pebble$PEBBLE_STARTS"
	mkdir -p "$d"
	pebble_make_certs "$d"
	for v in PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE PEBBLE_CHAIN_LENGTH \
		PEBBLE_ALTERNATE_ROOTS PEBBLE_VA_ALWAYS_VALID PEBBLE_CERT_VALIDITY_PERIOD; do
		[ -z "${!v+x}" ] || export "${v?}"
	done
	for attempt in 1 2 3; do
		if pebble_try_start "$d"; then
			export PEBBLE_DIR_URL PEBBLE_MGMT PEBBLE_HTTP_PORT PEBBLE_TLS_PORT CHALLTEST_MGMT \
				PEBBLE_CA PEBBLE_LOG
			echo "# pebble: $PEBBLE_DIR_URL (VA http port $PEBBLE_HTTP_PORT)"
			return 0
		fi
		echo "# pebble: attempt $attempt failed:" >&2
		sed 's/^/#   /' "$d/pebble.log" "$d/challtestsrv.log" >&2 || true
		pebble_stop
	done
	fail "Pebble did not start"
}

# pebble_start_webroot: pebble_start, then STATE=$TEST_TMP/state (the state
# directory acme uses) and WWW=$TEST_TMP/www, served on Pebble's http-01 port
# by webroot_start: what most tests start with.
pebble_start_webroot() {
	pebble_start
	STATE="$TEST_TMP/state"
	WWW="$TEST_TMP/www"
	webroot_start "$WWW" "$PEBBLE_HTTP_PORT"
}

# pebble_save NAME: keeps the running Pebble's settings (PEBBLE_DIR_URL,
# PEBBLE_CA, ... as NAME_DIR_URL, NAME_CA, ...: the PEBBLE_ prefix replaced)
# for pebble_use; it goes on running (stopped at exit), and pebble_start may
# start another.
pebble_save() {
	local v
	for v in $PEBBLE_VARS; do
		printf -v "${1}_${v#PEBBLE_}" '%s' "${!v}"
	done
	PEBBLE_PID=
	CHALLTEST_PID=
}

# pebble_use NAME: makes the Pebble kept by pebble_save NAME the current one
# (the one acme, pebble_root_pem, pebble_request_count... use).
pebble_use() {
	local v from
	for v in $PEBBLE_VARS; do
		from="${1}_${v#PEBBLE_}"
		[ -n "${!from+x}" ] || fail "pebble_use: no Pebble saved as $1"
		printf -v "$v" '%s' "${!from}"
	done
	export PEBBLE_DIR_URL PEBBLE_MGMT PEBBLE_HTTP_PORT CHALLTEST_MGMT PEBBLE_CA PEBBLE_LOG
}

# pebble_stop: stops Pebble and challtestsrv (also done at exit).
pebble_stop() {
	stop_pid "$PEBBLE_PID"
	stop_pid "$CHALLTEST_PID"
	PEBBLE_PID=
	CHALLTEST_PID=
}

# pebble_curl ARGS...: curl, run inside network namespace $PEBBLE_NETNS when
# Pebble runs there (netns.sh sets it), else here.
pebble_curl() {
	if [ -n "${PEBBLE_NETNS:-}" ]; then
		ip netns exec "$PEBBLE_NETNS" curl "$@"
	else
		curl "$@"
	fi
}

# pebble_root_pem / pebble_intermediate_pem: print Pebble's current root and
# intermediate certificate (new on every start) from the management API.
pebble_root_pem() {
	pebble_curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/0" ||
		fail "cannot fetch $PEBBLE_MGMT/roots/0"
}

pebble_intermediate_pem() {
	pebble_curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/intermediates/0" ||
		fail "cannot fetch $PEBBLE_MGMT/intermediates/0"
}

# pebble_request_count [PATTERN]: how many requests Pebble has handled so far
# (log lines "METHOD /path -> calling handler()"), optionally only those
# whose line also matches the extended regex PATTERN (e.g. "HEAD /nonce-plz").
pebble_request_count() {
	grep -F -- '-> calling handler()' "$PEBBLE_LOG" | grep -cE -- "${1:-.}" || true
}

# challtest POST-PATH JSON: calls challtestsrv's management API.
challtest() {
	pebble_curl -sf --max-time 5 -X POST -d "$2" "$CHALLTEST_MGMT$1" >/dev/null ||
		fail "challtestsrv $1 $2 failed"
}

# challtest_add_a HOST ADDR: mock DNS answers HOST's A query with ADDR.
challtest_add_a() {
	challtest /add-a "{\"host\":\"$1\",\"addresses\":[\"$2\"]}"
}

# challtest_dns_hook PATH [PRELUDE]: writes an executable dns-01 hook
# (`PATH add|remove RECORD VALUE`) that sets and clears the TXT record in
# challtestsrv; PRELUDE (shell lines) runs first.
challtest_dns_hook() {
	{
		echo '#!/bin/sh'
		[ -z "${2:-}" ] || printf '%s\n' "$2"
		cat <<HOOK
case "\$1" in
add)    exec curl -sf -X POST -d "{\"host\":\"\$2.\",\"value\":\"\$3\"}" "$CHALLTEST_MGMT/set-txt" ;;
remove) exec curl -sf -X POST -d "{\"host\":\"\$2.\"}" "$CHALLTEST_MGMT/clear-txt" ;;
esac
exit 64
HOOK
	} >"$1"
	chmod 755 "$1"
}

# challtest_clear_a HOST: HOST resolves to the default (127.0.0.1) again.
challtest_clear_a() {
	challtest /clear-a "{\"host\":\"$1\"}"
}

# acme ARGS...: run_acmectl against this Pebble (--server, --ca-bundle) with
# its state in $STATE (default $TEST_TMP/state).
acme() {
	run_acmectl --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "${STATE:-$TEST_TMP/state}" "$@"
}

# pebble_account_dir STATE: STATE/accounts/<host_port> of this Pebble.
pebble_account_dir() {
	local hostport=${PEBBLE_DIR_URL#https://}
	hostport=${hostport%%/*}
	echo "$1/accounts/${hostport/:/_}"
}

# pebble_new_account: keeps a newly registered account for this Pebble in
# $STATE instead of the one kept there (moved to $TEST_TMP/old-account.N),
# so that the next order has to validate every name again. PEBBLE_AUTHZREUSE=0
# alone does not promise that: Pebble 2.4 creates a new authorization only when
# rand.Intn(100) > the percentage, so it reuses a valid one of the same
# account 1 time in 100 (wfe.go, makeAuthorizations).
pebble_new_account() {
	local dir n=1
	dir=$(pebble_account_dir "${STATE:-$TEST_TMP/state}")
	while [ -e "$TEST_TMP/old-account.$n" ]; do n=$((n + 1)); done
	mv "$dir" "$TEST_TMP/old-account.$n"
	acme account register --email admin@acmectl.example --agree-tos
	[ "$RC" -eq 0 ] || fail "pebble_new_account: register exited $RC: $ERR"
}

# key_type_of PEM: prints ec256, ec384, rsaBITS (rsa2048...) or unknown for a
# private key, public key, certificate or CSR file.
key_type_of() {
	local text
	text=$(openssl pkey -in "$1" -noout -text 2>/dev/null ||
		openssl x509 -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -noout -text 2>/dev/null ||
		openssl req -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -noout -text 2>/dev/null ||
		true)
	case "$text" in
	*"NIST CURVE: P-256"*) echo ec256 ;;
	*"NIST CURVE: P-384"*) echo ec384 ;;
	*"Private-Key: ("[0-9]*" bit, 2 primes)"* | *"Public-Key: ("[0-9]*" bit)"*Modulus*)
		text=${text#*-Key: (}
		echo "rsa${text%% bit*}" ;;
	*) echo unknown ;;
	esac
}

# pubkey_of PEM: the DER public key (hex) of a private key, certificate or CSR.
pubkey_of() {
	{ openssl pkey -in "$1" -pubout -outform DER 2>/dev/null ||
		openssl x509 -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null ||
		openssl req -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null ||
		true; } | od -An -tx1 | tr -d ' \n'
}

# cert_sans CERT: the certificate's subjectAltName entries, sorted, one a
# line ("DNS:a.example", "IP:127.0.0.1").
cert_sans() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 |
		tr ',' '\n' | sed 's/^ *//; s/^IP Address:/IP:/; /^$/d' | sort
}

# expected_sans NAME...: the cert_sans lines NAMEs should give.
expected_sans() {
	local n
	for n in "$@"; do
		case "$n" in
		*:* | [0-9]*.*[0-9]) echo "IP:$n" ;;
		*) echo "DNS:$n" ;;
		esac
	done | sort
}

# pem_count FILE: number of certificates in a PEM file.
pem_count() {
	grep -c -- '-----BEGIN CERTIFICATE-----' "$1" 2>/dev/null || true
}

# assert_cert_issued DIR NAME...: DIR holds a complete, valid issuance for
# exactly NAMEs from this Pebble: cert/chain/fullchain/privkey present,
# privkey 0600 and matching the certificate, SANs == NAMEs, chain is Pebble's
# intermediate and the certificate verifies up to Pebble's root.
# Set CERT_FROM_CSR=FILE when the key is the user's (no privkey.pem check).
assert_cert_issued() {
	local dir=$1 what
	shift
	what="${dir#"$TEST_TMP"/}"
	pebble_root_pem >"$TEST_TMP/root.pem"
	pebble_intermediate_pem >"$TEST_TMP/intermediate.pem"
	assert_file_exists "$dir/cert.pem"
	assert_file_exists "$dir/chain.pem"
	assert_file_exists "$dir/fullchain.pem"
	assert_eq 1 "$(pem_count "$dir/cert.pem")" "$what/cert.pem holds one certificate"
	assert_eq "$(expected_sans "$@")" "$(cert_sans "$dir/cert.pem")" \
		"$what/cert.pem names exactly: $*"
	assert_eq "$(openssl x509 -in "$TEST_TMP/intermediate.pem" -noout -fingerprint -sha256)" \
		"$(openssl x509 -in "$dir/chain.pem" -noout -fingerprint -sha256 2>&1)" \
		"$what/chain.pem starts with Pebble's intermediate"
	assert_eq "$dir/cert.pem: OK" \
		"$(openssl verify -CAfile "$TEST_TMP/root.pem" -untrusted "$dir/chain.pem" "$dir/cert.pem" 2>&1)" \
		"$what/cert.pem verifies to Pebble's root through chain.pem"
	assert_eq "$(cat "$dir/cert.pem" "$dir/chain.pem" | grep -v '^$')" \
		"$(grep -v '^$' "$dir/fullchain.pem")" "$what/fullchain.pem is cert.pem + chain.pem"
	if [ -n "${CERT_FROM_CSR:-}" ]; then
		assert_eq "$(pubkey_of "$CERT_FROM_CSR")" "$(pubkey_of "$dir/cert.pem")" \
			"$what/cert.pem certifies the CSR's key"
	else
		assert_file_mode "$dir/privkey.pem" 600
		assert_eq "$(pubkey_of "$dir/privkey.pem")" "$(pubkey_of "$dir/cert.pem")" \
			"$what/privkey.pem matches cert.pem"
	fi
}

# challenge_files WEBROOT: what acmectl left under .well-known/acme-challenge.
challenge_files() {
	find "$1/.well-known/acme-challenge" -type f 2>/dev/null | sort
}
