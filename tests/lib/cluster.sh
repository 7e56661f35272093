# cluster.sh - what a Kubernetes cluster shows cert-manager, played in the
# netns lab for the diagnose tests (sourced, bash, after netns.sh, whose lab it
# uses; root, like it): the cluster's ingress, a real nginx, and the
# ClusterIssuer manifest a test hands to `diagnose --from-issuer`.
#
#   cluster_ingress_addr NODE PEER  INGRESS_IP: a new address of NODE on its
#                                   link to PEER, where the ingress listens
#   cluster_ingress_start NODE      nginx in NODE: a default backend on
#                                   INGRESS_IP:80 answering 404 for every host
#                                   without a rule, and the server blocks for
#                                   the others read from stdin; its logs in
#                                   INGRESS_DIR (access.log), its pid NGINX_PID
#   cluster_issuer FILE [SOLVERS [CA]]
#                                   FILE: the ClusterIssuer lab-acme at the
#                                   lab's Pebble

# The solvers of an Issuer whose HTTP-01 challenges an nginx ingress answers.
CLUSTER_HTTP01='    - http01:
        ingress:
          ingressClassName: nginx'

# cluster_ingress_addr NODE PEER: INGRESS_IP becomes address 10 of the
# NODE <-> PEER segment, given to NODE: the ingress is a host of its own on
# that network, beside NODE's address there.
cluster_ingress_addr() {
	INGRESS_IP=$(netns_free "$1" "$2" 10)
	netns_addr "$1" "$2" "$INGRESS_IP"
}

# cluster_ingress_start NODE: nginx (Debian's nginx-light; the test is
# skipped without it) in NODE as the cluster's ingress. Its default backend
# on INGRESS_IP:80 answers 404 for every host it has no rule for, as an
# ingress controller's does; stdin holds the server blocks of the hosts it
# has rules for (nginx syntax, each with its own listen line). Returns once
# INGRESS_IP:80 accepts connections; INGRESS_DIR holds nginx.conf,
# access.log and error.log.
cluster_ingress_start() {
	local node=$1 servers
	command -v nginx >/dev/null 2>&1 || skip "nginx (nginx-light) not installed"
	[ -n "${INGRESS_IP:-}" ] || fail "cluster_ingress_start before cluster_ingress_addr"
	servers=$(cat)
	INGRESS_DIR="$TEST_TMP/nginx"
	mkdir -p "$INGRESS_DIR"
	cat >"$INGRESS_DIR/nginx.conf" <<EOF
daemon off;
user root;
pid $INGRESS_DIR/nginx.pid;
error_log $INGRESS_DIR/error.log;
events { worker_connections 64; }
http {
	access_log $INGRESS_DIR/access.log;
	client_body_temp_path $INGRESS_DIR;
	default_type text/plain;
	# the default backend: 404 for every host without a rule
	server { listen $INGRESS_IP:80 default_server; return 404; }
$servers
}
EOF
	netns_spawn NGINX_PID "$INGRESS_DIR/stderr.log" "$node" nginx -c "$INGRESS_DIR/nginx.conf"
	netns_wait_port "$node" "$INGRESS_IP" 80 ||
		fail "nginx in $node did not start: $(cat "$INGRESS_DIR/"*.log)"
}

# cluster_issuer FILE [SOLVERS [CA]]: FILE becomes a ClusterIssuer named
# lab-acme whose ACME server is the lab's Pebble ($PEBBLE_DIR_URL), e-mail
# admin@acmectl.example, account key in the Secret lab-acme-account-key,
# with SOLVERS (YAML list items indented for spec.acme.solvers; default
# CLUSTER_HTTP01) and, when CA (a PEM file) is given, caBundle holding it.
cluster_issuer() {
	local file=$1 solvers=${2:-$CLUSTER_HTTP01} ca=${3:-}
	{
		cat <<EOF
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: lab-acme
spec:
  acme:
    server: $PEBBLE_DIR_URL
    email: admin@acmectl.example
EOF
		[ -z "$ca" ] || echo "    caBundle: $(base64 -w0 <"$ca")"
		cat <<EOF
    privateKeySecretRef:
      name: lab-acme-account-key
    solvers:
$solvers
EOF
	} >"$file"
}
