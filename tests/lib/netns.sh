# netns.sh - a private network lab for acmectl's integration tests (sourced,
# bash; sources pebble.sh and common.sh). Root only: call require_root first.
#
# Every test builds its own network out of Linux network namespaces named
# "actl<PID>-<node>", joined by veth pairs. Addresses exist only inside those
# namespaces: one /24 per test, 10.231.<PID % 250>.0/24, cut into /27
# segments (one per link), and fd00:231:<PID % 250>:<link>::/64. There is no
# default route to the host and no NAT, so nothing ever leaves the lab; a
# namespace reaches only the segments it is linked to and routes the test
# adds. Name resolution is per namespace: /etc/netns/<ns>/hosts and
# /etc/netns/<ns>/resolv.conf, which `ip netns exec` bind-mounts over /etc
# (resolv.conf points at 127.0.0.1 of the namespace until a test sets it).
#
#   netns_init                      the lab of this test; torn down at exit
#   netns_add NODE...               namespaces with loopback up
#   netns_link A B                  a veth pair A <-> B on the next segment;
#                                   netns_ip A B / netns_ip6 A B: A's address
#                                   on it, netns_free A B N / netns_free6: the
#                                   Nth unused address of that segment
#   netns_addr A B ADDR             one more address for A on its link to B
#   netns_route NODE PREFIX VIA     a route
#   netns_blackhole A B ADDR        ADDR on A's link to B (or a route via it)
#                                   swallows every packet: a static neighbour
#                                   entry to a MAC address nobody owns
#   netns_hosts NODE LINE...        lines for NODE's /etc/hosts
#   netns_resolv NODE LINE...       NODE's resolv.conf (replaced)
#   nsx NODE CMD...                 runs CMD in NODE
#   netns_spawn VAR LOG NODE CMD... spawn (common.sh) inside NODE
#   netns_wait_port NODE ADDR PORT [SECONDS]
#   netns_acmectl NODE ARGS...      run_acmectl (common.sh) inside NODE
#   netns_timed_acmectl NODE ARGS.. the same, and ELAPSED_MS = wall time
#   netns_ca DIR NAME               a throwaway CA in DIR/NAME.pem, .key
#   netns_cert DIR CA NAME SAN...   DIR/NAME.pem, .key for SANs (DNS or IP)
#   netns_pebble_start NODE ADDR PORT NAME...
#                                   Pebble + pebble-challtestsrv in NODE
#   netns_webroot_start NODE DIR    the http-01 webroot Pebble's VA fetches
#   netns_tinyproxy_start NODE ADDR [USER PASS]
#   netns_squid_start NODE ADDR [ntlm]
#   netns_dnsmasq_start NODE ADDR OPTION...
#   netns_slow_https_start NODE ADDR PORT CERT KEY DELAY
#   tinyproxy_connects [TARGET]     CONNECT requests tinyproxy received
#   netns_stunnel_start NODE ADDR PORT CERT KEY TARGET
#                                   stunnel terminating TLS in front of TARGET
#   netns_dud_start NODE ADDR PORT silent|close
#                                   a TCP peer that never answers, or closes
#   netns_lab_proxied [USER PASS]   client <-> proxy <-> server, Pebble and
#                                   tinyproxy running; lab_acme ARGS runs
#                                   acmectl in client against that Pebble
#   netns_diagnose NODE ARGS...     acmectl --json diagnose, timed: VERDICT,
#                                   FINDINGS, CM_MESSAGE; assert_verdict,
#                                   assert_finding, assert_faster/slower
#   netns_curl_rc NODE ARGS...      curl's exit code, for lab checks

# shellcheck source=pebble.sh
. "$(dirname "${BASH_SOURCE[0]}")/pebble.sh"

NETNS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_PREFIX=
NETNS_NODES=()
NETNS_SEGMENTS=0
declare -A NETNS_IP4 NETNS_IP6 NETNS_DEV NETNS_SEG

# Fixed ports: each namespace has its own port space, so tests running in
# parallel never collide.
NETNS_PEBBLE_VA_HTTP_PORT=5002
NETNS_PROXY_PORT=3128

# netns_lab_begin: what every lab test starts with: root, no proxy variables
# of the caller's (each test sets the ones it means), and netns_init.
netns_lab_begin() {
	require_root
	unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy ALL_PROXY all_proxy
	netns_init
}

# netns_client_server: namespaces "client" and "server" joined by one link;
# SERVER_IP is the server's address on it.
netns_client_server() {
	netns_add client server
	netns_link client server
	SERVER_IP=$(netns_ip server client)
}

# netns_line A MIDDLE B: namespaces A, MIDDLE and B, with A and B each
# linked to MIDDLE only; SERVER_IP is B's address on its link.
netns_line() {
	netns_add "$1" "$2" "$3"
	netns_link "$1" "$2"
	netns_link "$2" "$3"
	SERVER_IP=$(netns_ip "$3" "$2")
}

# netns_routed_line A ROUTER B: netns_line, with ROUTER forwarding between
# A and B and each routed to the other's segment through it.
netns_routed_line() {
	netns_line "$1" "$2" "$3"
	netns_route "$1" "$(netns_prefix "$2" "$3")" "$(netns_ip "$2" "$1")"
	netns_route "$3" "$(netns_prefix "$1" "$2")" "$(netns_ip "$2" "$3")"
	nsx "$2" sysctl -qw net.ipv4.ip_forward=1 || fail "forwarding in $2 failed"
}

# netns_init: names this test's lab after its PID and picks its /24. Also
# removes namespaces left by lab runs whose shell no longer exists (killed
# with SIGKILL, so their exit hook could not run).
netns_init() {
	local ns pid x
	command -v ip >/dev/null 2>&1 || skip "ip (iproute2) not installed"
	NETNS_PREFIX="actl$$"
	x=$(($$ % 250))
	NETNS_NET4="10.231.$x"
	NETNS_NET6="fd00:231:$x"
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case "$ns" in actl[0-9]*-*) ;; *) continue ;; esac
		pid=${ns#actl}
		pid=${pid%%-*}
		[ "$pid" != $$ ] || continue
		kill -0 "$pid" 2>/dev/null && continue
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	at_exit netns_cleanup
	echo "# netns lab $NETNS_PREFIX: $NETNS_NET4.0/24, $NETNS_NET6::/48"
}

# netns_name NODE: the namespace name of NODE.
netns_name() {
	echo "$NETNS_PREFIX-$1"
}

# netns_cleanup: stops whatever still runs in the lab's namespaces (all of it
# started by this test), deletes them and their /etc/netns files. At exit.
netns_cleanup() {
	local node ns pids i
	for node in "${NETNS_NODES[@]}"; do
		ns=$(netns_name "$node")
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -TERM $pids 2>/dev/null || true
			for ((i = 0; i < 20; i++)); do
				pids=$(ip netns pids "$ns" 2>/dev/null || true)
				[ -n "$pids" ] || break
				sleep 0.05
			done
			# shellcheck disable=SC2086
			[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
		fi
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true
	NETNS_NODES=()
}

# netns_add NODE...: one namespace per NODE, loopback up, an /etc/hosts with
# only localhost and a resolv.conf pointing at the namespace's own loopback.
netns_add() {
	local node ns i
	[ -n "$NETNS_PREFIX" ] || fail "netns_add before netns_init"
	for node in "$@"; do
		ns=$(netns_name "$node")
		ip netns add "$ns" || fail "ip netns add $ns failed"
		NETNS_NODES+=("$node")
		# another test's cleanup may rmdir /etc/netns between our two mkdirs
		for ((i = 0; i < 5; i++)); do
			mkdir -p "/etc/netns/$ns" 2>/dev/null && break
		done
		printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"/etc/netns/$ns/hosts"
		printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$ns/resolv.conf"
		ip -n "$ns" link set lo up || fail "loopback up in $ns failed"
		printf '#!/bin/sh\nexec ip netns exec %s "$NETNS_ACMECTL" "$@"\n' "$ns" \
			>"$TEST_TMP/acmectl-in-$node"
		chmod 755 "$TEST_TMP/acmectl-in-$node"
	done
}

# netns_link A B: joins A and B with a veth pair ("to-B" in A, "to-A" in B) on
# a new segment: 10.231.x.(32k+1) for A and .(32k+2) for B (/27), likewise
# fd00:231:x:k::1 and ::2 (/64, no duplicate address detection, so usable at
# once).
netns_link() {
	local a=$1 b=$2 k base
	k=$NETNS_SEGMENTS
	[ "$k" -lt 8 ] || fail "netns_link: at most 8 links per lab"
	NETNS_SEGMENTS=$((k + 1))
	base=$((k * 32))
	ip -n "$(netns_name "$a")" link add "to-$b" type veth peer name "to-$a" \
		netns "$(netns_name "$b")" || fail "veth $a <-> $b failed"
	NETNS_SEG[$a:$b]=$k
	NETNS_SEG[$b:$a]=$k
	NETNS_DEV[$a:$b]="to-$b"
	NETNS_DEV[$b:$a]="to-$a"
	NETNS_IP4[$a:$b]="$NETNS_NET4.$((base + 1))"
	NETNS_IP4[$b:$a]="$NETNS_NET4.$((base + 2))"
	NETNS_IP6[$a:$b]=$(netns_free6 "$a" "$b" 1)
	NETNS_IP6[$b:$a]=$(netns_free6 "$a" "$b" 2)
	netns_addr "$a" "$b" "${NETNS_IP4[$a:$b]}"
	netns_addr "$a" "$b" "${NETNS_IP6[$a:$b]}"
	netns_addr "$b" "$a" "${NETNS_IP4[$b:$a]}"
	netns_addr "$b" "$a" "${NETNS_IP6[$b:$a]}"
	ip -n "$(netns_name "$a")" link set "to-$b" up || fail "link up failed"
	ip -n "$(netns_name "$b")" link set "to-$a" up || fail "link up failed"
}

# netns_ip A B / netns_ip6 A B: A's IPv4 / IPv6 address on its link to B.
netns_ip() {
	[ -n "${NETNS_IP4[$1:$2]:-}" ] || fail "no link $1 <-> $2"
	echo "${NETNS_IP4[$1:$2]}"
}

netns_ip6() {
	[ -n "${NETNS_IP6[$1:$2]:-}" ] || fail "no link $1 <-> $2"
	echo "${NETNS_IP6[$1:$2]}"
}

# netns_free A B N / netns_free6 A B N: address N (3..30) of the A <-> B
# segment, which no node owns until a test gives it to one.
netns_free() {
	local seg=${NETNS_SEG[$1:$2]:-}
	[ -n "$seg" ] || fail "no link $1 <-> $2"
	echo "$NETNS_NET4.$((seg * 32 + $3))"
}

netns_free6() {
	[ -n "${NETNS_SEG[$1:$2]:-}" ] || fail "no link $1 <-> $2"
	# in RFC 5952 form, as programs print it (inet_ntop), so tests can
	# look for it in their output
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' \
		"$(printf '%s:%x::%x' "$NETNS_NET6" "${NETNS_SEG[$1:$2]}" "$3")"
}

# netns_prefix A B / netns_prefix6 A B: the segment of the A <-> B link.
netns_prefix() {
	echo "$(netns_free "$1" "$2" 0)/27"
}

netns_prefix6() {
	echo "$(netns_free6 "$1" "$2" 0)/64"
}

# netns_addr A B ADDR: adds ADDR (IPv4 or IPv6, segment-sized) to A's end of
# the A <-> B link.
netns_addr() {
	local len=27
	case "$3" in *:*) len="64 nodad" ;; esac
	# shellcheck disable=SC2086
	ip -n "$(netns_name "$1")" addr add "$3/"$len dev "${NETNS_DEV[$1:$2]}" ||
		fail "address $3 on $1 failed"
}

# netns_route NODE PREFIX VIA: NODE reaches PREFIX through VIA (an address on
# one of its segments).
netns_route() {
	ip -n "$(netns_name "$1")" route add "$2" via "$3" || fail "route $2 via $3 in $1 failed"
}

# netns_blackhole A B ADDR: packets A sends to ADDR (on the A <-> B segment)
# go out as frames to 02:00:00:00:00:01, which B drops: no ARP, no reply, no
# ICMP, the connection attempt just hangs - an unanswered SYN.
netns_blackhole() {
	ip -n "$(netns_name "$1")" neigh replace "$3" lladdr 02:00:00:00:00:01 \
		dev "${NETNS_DEV[$1:$2]}" nud permanent || fail "blackhole $3 in $1 failed"
}

# netns_hosts NODE LINE...: appends LINEs ("ADDR NAME...") to NODE's hosts.
netns_hosts() {
	local node=$1
	shift
	printf '%s\n' "$@" >>"/etc/netns/$(netns_name "$node")/hosts"
}

# netns_resolv NODE LINE...: NODE's resolv.conf becomes LINEs.
netns_resolv() {
	local node=$1
	shift
	printf '%s\n' "$@" >"/etc/netns/$(netns_name "$node")/resolv.conf"
}

# nsx NODE CMD...: runs CMD inside NODE (its hosts and resolv.conf apply).
nsx() {
	local node=$1
	shift
	ip netns exec "$(netns_name "$node")" "$@"
}

# netns_spawn VAR LOG NODE CMD...: spawn (common.sh) with CMD inside NODE.
netns_spawn() {
	local _var=$1 _log=$2 _node=$3
	shift 3
	spawn "$_var" "$_log" ip netns exec "$(netns_name "$_node")" "$@"
}

# netns_wait_port NODE ADDR PORT [SECONDS]: waits until ADDR:PORT accepts
# TCP connections as seen from NODE.
netns_wait_port() {
	local i tries=$((${4:-10} * 10))
	for ((i = 0; i < tries; i++)); do
		nsx "$1" timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# netns_acmectl NODE ARGS...: run_acmectl with acmectl running inside NODE
# (the environment, e.g. HTTPS_PROXY, is passed on).
netns_acmectl() {
	local node=$1 outer
	shift
	resolve_acmectl
	outer=$ACMECTL
	export NETNS_ACMECTL=$outer
	ACMECTL="$TEST_TMP/acmectl-in-$node"
	run_acmectl "$@"
	ACMECTL=$outer
}

# now_ms: a monotonic-enough wall clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# netns_timed_acmectl NODE ARGS...: netns_acmectl, and ELAPSED_MS is how
# long it took.
netns_timed_acmectl() {
	local t0
	t0=$(now_ms)
	netns_acmectl "$@"
	ELAPSED_MS=$(($(now_ms) - t0))
	echo "# took $ELAPSED_MS ms" >&2
}

# assert_faster MS DESC: the last netns_timed_acmectl took less than MS
# plus LOAD_SLACK_MS. The bounds separate "stopped by the step deadline"
# from "waited for cert-manager's 30 s dial or 2 min sync"; they are not
# speed goals (bench/ has those), and CI machines and shared ones run
# loaded: a whole second was seen to go missing under a load of 11.
LOAD_SLACK_MS=${LOAD_SLACK_MS:-4000}
assert_faster() {
	local bound=$(($1 + LOAD_SLACK_MS))

	if [ "$ELAPSED_MS" -lt "$bound" ]; then
		pass_ "$2 ($ELAPSED_MS ms < $bound ms)"
	else
		fail_ "$2 (< $bound ms)" "took $ELAPSED_MS ms"
	fi
}

# assert_slower MS DESC: the last netns_timed_acmectl took at least MS.
assert_slower() {
	if [ "$ELAPSED_MS" -ge "$1" ]; then
		pass_ "$2 ($ELAPSED_MS ms >= $1 ms)"
	else
		fail_ "$2 (>= $1 ms)" "took $ELAPSED_MS ms"
	fi
}

# netns_ca DIR NAME: a throwaway CA, DIR/NAME.pem and DIR/NAME.key.
netns_ca() {
	mkdir -p "$1"
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -subj "/CN=acmectl lab $2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign >"$1/$2.log" 2>&1 ||
		fail "openssl: CA $2: $(cat "$1/$2.log")"
}

# netns_cert DIR CA NAME SAN...: a server certificate DIR/NAME.pem (key
# DIR/NAME.key) signed by DIR/CA.pem, for SANs (names or IP addresses); the
# subject CN is the first SAN.
netns_cert() {
	local d=$1 ca=$2 name=$3 cn=$4 san sans=
	shift 3
	for san in "$@"; do
		case "$san" in
		*:* | [0-9]*.*[0-9]) sans="$sans,IP:$san" ;;
		*) sans="$sans,DNS:$san" ;;
		esac
	done
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$d/$name.key" -out "$d/$name.csr" -subj "/CN=$cn" \
		>"$d/$name.log" 2>&1 || fail "openssl: CSR $name: $(cat "$d/$name.log")"
	printf '%s\n' "subjectAltName=${sans#,}" 'extendedKeyUsage=serverAuth' \
		'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
		>"$d/$name.ext"
	openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$d/$name.ext" \
		-out "$d/$name.pem" >>"$d/$name.log" 2>&1 ||
		fail "openssl: certificate $name: $(cat "$d/$name.log")"
}

# netns_pebble_start NODE ADDR PORT NAME...: Pebble in NODE on ADDR:PORT
# with a certificate for NAMEs and ADDR signed by the lab CA ($TEST_TMP/lab/
# ca.pem, made on first use), its management API on 127.0.0.1:PORT+1000 of
# NODE, and pebble-challtestsrv in NODE as Pebble's DNS: every name resolves
# to 127.0.0.1, so the VA fetches http-01 tokens from 127.0.0.1:5002 of NODE
# (see netns_webroot_start). Several instances per node need distinct PORTs.
# Sets and exports what pebble.sh's helpers use: PEBBLE_DIR_URL
# (https://NAME1:PORT/dir), PEBBLE_CA, PEBBLE_MGMT, PEBBLE_LOG,
# PEBBLE_HTTP_PORT, CHALLTEST_MGMT and PEBBLE_NETNS; the pid in PEBBLE_PID.
netns_pebble_start() {
	local node=$1 addr=$2 port=$3 d n=$(($3 - 14000)) i
	shift 3
	d="$TEST_TMP/pebble-$node-$port"
	mkdir -p "$d"
	[ -f "$TEST_TMP/lab/ca.pem" ] || netns_ca "$TEST_TMP/lab" ca
	netns_cert "$TEST_TMP/lab" ca "pebble-$port" "$@" "$addr" localhost 127.0.0.1
	cat >"$d/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "$addr:$port",
    "managementListenAddress": "127.0.0.1:$((port + 1000))",
    "certificate": "$TEST_TMP/lab/pebble-$port.pem",
    "privateKey": "$TEST_TMP/lab/pebble-$port.key",
    "httpPort": $NETNS_PEBBLE_VA_HTTP_PORT,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
	netns_spawn CHALLTEST_PID "$d/challtestsrv.log" "$node" pebble-challtestsrv \
		-http01 "" -https01 "" -tlsalpn01 "" \
		-dns01 "127.0.0.1:$((8053 + 10 * n))" -management "127.0.0.1:$((8055 + 10 * n))" \
		-defaultIPv4 127.0.0.1 -defaultIPv6 ""
	PEBBLE_LOG="$d/pebble.log"
	netns_spawn PEBBLE_PID "$PEBBLE_LOG" "$node" env PEBBLE_VA_NOSLEEP=1 \
		pebble -config "$d/pebble-config.json" -dnsserver "127.0.0.1:$((8053 + 10 * n))"
	PEBBLE_DIR_URL="https://$1:$port/dir"
	PEBBLE_MGMT="https://localhost:$((port + 1000))"
	PEBBLE_CA="$TEST_TMP/lab/ca.pem"
	PEBBLE_HTTP_PORT=$NETNS_PEBBLE_VA_HTTP_PORT
	CHALLTEST_MGMT="http://127.0.0.1:$((8055 + 10 * n))"
	PEBBLE_NETNS=$(netns_name "$node")
	export PEBBLE_DIR_URL PEBBLE_MGMT PEBBLE_CA PEBBLE_HTTP_PORT CHALLTEST_MGMT \
		PEBBLE_LOG PEBBLE_NETNS
	for ((i = 0; i < 100; i++)); do
		kill -0 "$PEBBLE_PID" 2>/dev/null || break
		if nsx "$node" curl -sf --max-time 2 --cacert "$PEBBLE_CA" \
			--resolve "$1:$port:$addr" -o /dev/null "$PEBBLE_DIR_URL" &&
			nsx "$node" curl -s --max-time 2 -o /dev/null "$CHALLTEST_MGMT/"; then
			echo "# pebble in $node: $PEBBLE_DIR_URL at $addr"
			return 0
		fi
		sleep 0.1
	done
	sed 's/^/#   /' "$PEBBLE_LOG" "$d/challtestsrv.log" >&2 || true
	fail "Pebble did not start in $node"
}

# netns_webroot_start NODE DIR: serves DIR on 127.0.0.1:5002 of NODE, where
# the VA of netns_pebble_start fetches http-01 tokens. acmectl, wherever it
# runs, writes the tokens into DIR (the file system is shared).
netns_webroot_start() {
	mkdir -p "$2"
	netns_spawn WEBROOT_PID "$TEST_TMP/webroot-$1.log" "$1" \
		python3 -m http.server --bind 127.0.0.1 --directory "$2" "$NETNS_PEBBLE_VA_HTTP_PORT"
	netns_wait_port "$1" 127.0.0.1 "$NETNS_PEBBLE_VA_HTTP_PORT" 10 ||
		fail "webroot server in $1 did not start: $(cat "$TEST_TMP/webroot-$1.log")"
	WEBROOT_LOG="$TEST_TMP/webroot-$1.log"
}

# netns_tinyproxy_start NODE ADDR [USER PASS]: tinyproxy in NODE on
# ADDR:3128 (PROXY_URL http://ADDR:3128, or [ADDR] for IPv6), open to the
# lab, CONNECT allowed to 443 and the Pebble ports 14000-14001, with Basic
# authentication when USER and PASS are given. Its log (LogLevel Info, one
# "Request (file descriptor N): CONNECT host:port" line per tunnel) is
# TINYPROXY_LOG.
netns_tinyproxy_start() {
	local node=$1 addr=$2 d="$TEST_TMP/tinyproxy-$1"
	mkdir -p "$d"
	TINYPROXY_LOG="$d/tinyproxy.log"
	: >"$TINYPROXY_LOG"
	{
		echo "Port $NETNS_PROXY_PORT"
		echo "Listen $addr"
		echo "Timeout 30"
		echo "Allow $NETNS_NET4.0/24"
		echo "Allow $NETNS_NET6::/48"
		echo "LogFile \"$TINYPROXY_LOG\""
		echo "LogLevel Info"
		echo "MaxClients 20"
		echo "ConnectPort 443"
		echo "ConnectPort 14000"
		echo "ConnectPort 14001"
		[ $# -lt 4 ] || echo "BasicAuth $3 $4"
	} >"$d/tinyproxy.conf"
	netns_spawn TINYPROXY_PID "$d/stderr.log" "$node" tinyproxy -d -c "$d/tinyproxy.conf"
	case "$addr" in
	*:*) PROXY_URL="http://[$addr]:$NETNS_PROXY_PORT" ;;
	*) PROXY_URL="http://$addr:$NETNS_PROXY_PORT" ;;
	esac
	netns_wait_port "$node" "$addr" "$NETNS_PROXY_PORT" 10 ||
		fail "tinyproxy in $node did not start: $(cat "$d/stderr.log" "$TINYPROXY_LOG")"
	echo "# tinyproxy in $node: $PROXY_URL${3:+ (BasicAuth $3)}"
}

# netns_squid_start NODE ADDR [ntlm]: Squid in NODE on ADDR:3128
# (PROXY_URL), open to the lab, CONNECT allowed to 443 and 14000-14001, its
# own connects to the CA bounded by connect_timeout 3 s. With "ntlm" it
# asks every client for credentials and offers only Negotiate and NTLM
# (Squid's own ntlm_fake_auth and negotiate_wrapper_auth helpers; no
# client here ever answers). Logs in SQUID_DIR.
netns_squid_start() {
	local node=$1 addr=$2 helpers=/usr/lib/squid
	command -v squid >/dev/null 2>&1 || skip "squid not installed"
	# Squid writes its logs as its own user, who cannot enter TEST_TMP
	if [ -z "${SQUID_DIR:-}" ]; then
		SQUID_DIR=$(mktemp -d /tmp/acmectl-squid.XXXXXX) || fail "mktemp for squid failed"
		at_exit squid_dir_remove
	fi
	chmod 755 "$SQUID_DIR"
	chown proxy: "$SQUID_DIR" || fail "squid's log directory: chown proxy failed"
	{
		echo "http_port $addr:$NETNS_PROXY_PORT"
		echo "visible_hostname squid.lab"
		echo "pid_filename none"
		echo "cache_log $SQUID_DIR/cache.log"
		echo "access_log stdio:$SQUID_DIR/access.log"
		echo "coredump_dir $SQUID_DIR"
		echo "cache deny all"
		echo "shutdown_lifetime 0 seconds"
		echo "connect_timeout 3 seconds"
		echo "acl lab src $NETNS_NET4.0/24 $NETNS_NET6::/48"
		echo "acl tls_ports port 443 14000-14001"
		echo "acl CONNECT method CONNECT"
		echo "http_access deny CONNECT !tls_ports"
		if [ "${3:-}" = ntlm ]; then
			[ -x "$helpers/ntlm_fake_auth" ] || skip "squid's ntlm_fake_auth not installed"
			echo "auth_param negotiate program $helpers/negotiate_wrapper_auth --ntlm $helpers/ntlm_fake_auth --kerberos /bin/false"
			echo "auth_param negotiate children 1"
			echo "auth_param ntlm program $helpers/ntlm_fake_auth"
			echo "auth_param ntlm children 1"
			echo "acl authed proxy_auth REQUIRED"
			echo "http_access allow lab authed"
		else
			echo "http_access allow lab"
		fi
		echo "http_access deny all"
	} >"$SQUID_DIR/squid.conf"
	netns_spawn SQUID_PID "$SQUID_DIR/stderr.log" "$node" squid -N -f "$SQUID_DIR/squid.conf"
	PROXY_URL="http://$addr:$NETNS_PROXY_PORT"
	netns_wait_port "$node" "$addr" "$NETNS_PROXY_PORT" 20 ||
		fail "squid in $node did not start: $(cat "$SQUID_DIR/stderr.log" "$SQUID_DIR/cache.log")"
	echo "# squid in $node: $PROXY_URL${3:+ ($3 only)}"
}

squid_dir_remove() {
	rm -rf "$SQUID_DIR"
}

# tinyproxy_connects [TARGET]: how many CONNECT requests tinyproxy has
# received so far (for TARGET "host:port" only, when given).
tinyproxy_connects() {
	grep -F 'CONNECT' "$TINYPROXY_LOG" | grep -F 'Request (file descriptor' |
		grep -cF -- "CONNECT ${1:-}" || true
}

# netns_stunnel_start NODE ADDR PORT CERT KEY TARGET: stunnel (Debian
# package stunnel4) in NODE, accepting TLS on ADDR:PORT with CERT and KEY and
# passing what is inside on to TARGET (host:port), e.g. tinyproxy: an https://
# proxy. Its log is STUNNEL_LOG, its pid STUNNEL_PID.
netns_stunnel_start() {
	local node=$1 addr=$2 port=$3 d="$TEST_TMP/stunnel-$1-$3"
	command -v stunnel4 >/dev/null 2>&1 || skip "stunnel4 not installed"
	mkdir -p "$d"
	STUNNEL_LOG="$d/stunnel.log"
	printf '%s\n' "foreground = yes" "pid =" "output = $STUNNEL_LOG" "debug = info" \
		"[proxy]" "accept = $addr:$port" "connect = $6" "cert = $4" "key = $5" \
		>"$d/stunnel.conf"
	netns_spawn STUNNEL_PID "$d/stderr.log" "$node" stunnel4 "$d/stunnel.conf"
	netns_wait_port "$node" "$addr" "$port" 10 ||
		fail "stunnel in $node did not start: $(cat "$d/stderr.log" "$STUNNEL_LOG" 2>/dev/null)"
	echo "# stunnel in $node: TLS on $addr:$port -> $6"
}

# netns_dud_start NODE ADDR PORT silent|close: a TCP listener in NODE on
# ADDR:PORT that accepts and then says nothing (silent) or closes each
# connection at once (close): a peer that speaks neither HTTP nor TLS.
netns_dud_start() {
	local log="$TEST_TMP/dud-$1-$3.log"
	netns_spawn DUD_PID "$log" "$1" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    if sys.argv[3] == "close":
        c.close()
    else:
        held.append(c)
' "$2" "$3" "$4"
	netns_wait_port "$1" "$2" "$3" 10 || fail "dud listener in $1 did not start: $(cat "$log")"
}

# netns_dnsmasq_start NODE ADDR OPTION...: dnsmasq as the DNS server on
# ADDR:53 in NODE, answering only from OPTIONs (e.g. --address=/corp.test/IP,
# a wildcard for the domain and every name under it); no upstream, no hosts
# file. Queries are logged in DNSMASQ_LOG.
netns_dnsmasq_start() {
	local node=$1 addr=$2
	shift 2
	command -v dnsmasq >/dev/null 2>&1 || skip "dnsmasq (dnsmasq-base) not installed"
	DNSMASQ_LOG="$TEST_TMP/dnsmasq-$node.log"
	netns_spawn DNSMASQ_PID "$DNSMASQ_LOG" "$node" dnsmasq --no-daemon \
		--conf-file=/dev/null --no-resolv --no-hosts --pid-file= --user=root \
		--listen-address="$addr" --bind-interfaces --log-queries --log-facility=- "$@"
	nsx "$node" timeout 5 bash -c 'until exec 3<>"/dev/tcp/$0/53"; do sleep 0.1; done' \
		"$addr" 2>/dev/null || fail "dnsmasq in $node did not start: $(cat "$DNSMASQ_LOG")"
}

# netns_slow_https_start NODE ADDR PORT CERT KEY DELAY: tests/lib/
# slow_https.py in NODE on ADDR:PORT - an ACME-looking directory that answers
# after DELAY seconds, a nonce endpoint, a 404 page for everything else.
netns_slow_https_start() {
	local node=$1 addr=$2 port=$3
	netns_spawn SLOW_HTTPS_PID "$TEST_TMP/slow-https-$node-$port.log" "$node" \
		python3 "$NETNS_LIB_DIR/slow_https.py" --listen "$addr" --port "$port" \
		--cert "$4" --key "$5" --delay "$6"
	netns_wait_port "$node" "$addr" "$port" 10 ||
		fail "slow_https.py in $node did not start: $(cat "$TEST_TMP/slow-https-$node-$port.log")"
}

# json_ids and json_step: tests/lib/jsonview.sh, the tests' one JSON reader

# netns_lab_proxied [USER PASS]: the usual lab. Three nodes in a row,
#   client <-> proxy <-> server
# with no forwarding in proxy, so client reaches server only through
# tinyproxy (PROXY_URL, BasicAuth USER PASS when given). Pebble runs in
# server on SERVER_IP:14000 as https://acme.test:14000/dir; the webroot its
# VA reads is $WWW. Names: acme.test (client, proxy and server) and
# proxy.test (client); PROXY_NAME_URL is http://proxy.test:3128. Call after
# netns_lab_begin.
netns_lab_proxied() {
	netns_add client proxy server
	netns_link client proxy
	netns_link proxy server
	SERVER_IP=$(netns_ip server proxy)
	PROXY_IP=$(netns_ip proxy client)
	netns_hosts client "$PROXY_IP proxy.test" "$SERVER_IP acme.test"
	netns_hosts proxy "$SERVER_IP acme.test"
	netns_hosts server "$SERVER_IP acme.test"
	netns_pebble_start server "$SERVER_IP" 14000 acme.test
	WWW="$TEST_TMP/www"
	netns_webroot_start server "$WWW"
	netns_tinyproxy_start proxy "$PROXY_IP" "$@"
	PROXY_NAME_URL="http://proxy.test:$NETNS_PROXY_PORT"
	STATE="$TEST_TMP/state"
}

# lab_acme ARGS...: acmectl in client against the lab's Pebble.
lab_acme() {
	netns_acmectl client --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "${STATE:-$TEST_TMP/state}" "$@"
}

# netns_diagnose NODE ARGS...: `acmectl --json diagnose ARGS` inside NODE,
# timed; sets RC, OUT, ERR, ELAPSED_MS, VERDICT, FINDINGS (the finding ids,
# comma-joined) and CM_MESSAGE (cert_manager.message).
netns_diagnose() {
	local node=$1
	shift
	netns_timed_acmectl "$node" --json diagnose "$@"
	VERDICT=$(json_field "$OUT" verdict)
	FINDINGS=$(json_ids "$OUT" findings)
	CM_MESSAGE=$(json_field "$OUT" cert_manager.message)
}

# assert_verdict ID DESC: the last netns_diagnose gave verdict ID, exit 0
# for "ok" and 1 for a fault.
assert_verdict() {
	local rc=1
	[ "$1" != ok ] || rc=0
	if [ "$VERDICT" = "$1" ] && [ "$RC" = "$rc" ]; then
		pass_ "$2: verdict $1, exit $rc"
	else
		fail_ "$2: verdict $1, exit $rc" "verdict: ${VERDICT:-none}, exit $RC" \
			"findings: $FINDINGS" "stderr: $ERR"
	fi
}

# assert_finding ID DESC / assert_no_finding ID DESC: the last
# netns_diagnose reported (did not report) finding ID.
assert_finding() {
	case ",$FINDINGS," in
	*",$1,"*) pass_ "$2: finding $1" ;;
	*) fail_ "$2: finding $1" "findings: ${FINDINGS:-none}" ;;
	esac
}

assert_no_finding() {
	case ",$FINDINGS," in
	*",$1,"*) fail_ "$2: no finding $1" "findings: $FINDINGS" ;;
	*) pass_ "$2: no finding $1" ;;
	esac
}

# netns_curl_rc NODE ARGS...: the exit code of `curl -s -o /dev/null
# --connect-timeout 1 --max-time 3 ARGS` run in NODE: 0, 6 (name not
# resolved), 7 (refused), 28 (timed out), 56 (proxy refused the CONNECT),
# 60 (certificate not trusted or not for the name). For lab checks: they
# show what the network does to a plain client, apart from acmectl.
netns_curl_rc() {
	local node=$1 rc=0
	shift
	nsx "$node" curl -s -o /dev/null --connect-timeout 1 --max-time 3 "$@" || rc=$?
	echo "$rc"
}
