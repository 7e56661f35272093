#!/bin/bash
# make-certcheck.sh - makes the certificates test_certcheck.c checks (run it
# in this directory; the outputs are committed, so tests never run openssl).
# Every certificate is valid 2020-01-01 .. 2040-01-01: the test passes its
# own "now" to the checks, so nothing here expires in CI.
#
#   root.pem           self-signed test root
#   inter.pem          intermediate signed by root
#   inter-forged.pem   same subject as inter.pem, another key (self-signed):
#                      names link to it, signatures do not verify with it
#   csr-a.der, csr-b.der            CSRs of two P-256 keys, A and B (DER, as
#                                   finalized; the keys are not kept)
#   leaf-ok.pem        key A; a.example, b.example, 192.0.2.1, 2001:db8::1
#   leaf-other-key.pem key B; the same four names
#   leaf-upper.pem     key A; A.EXAMPLE, B.Example, 192.0.2.1, 2001:DB8:0:0::1
#   leaf-evil.pem      key A; evil.example.net
#   leaf-extra.pem     key A; the four names and c.example
#   leaf-fewer.pem     key A; a.example only
#   leaf-dnsip.pem     key A; a.example, b.example, DNS:192.0.2.1, IP 2001:db8::1
#   leaf-root.pem      key A; the four names, signed by the root directly
#   not-a-cert.pem     PEM-shaped text that is no certificate
set -eu
export LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = optional
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
: >"$work/index.txt"
echo 1000 >"$work/serial"
dates=(-startdate 20200101000000Z -enddate 20400101000000Z)

newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# sign CA_CERT CA_KEY CSR OUT EXTSECTION_TEXT
sign() {
	printf '[ext]\n%s\n' "$5" >"$work/ext.cnf"
	openssl ca -batch -notext -config "$work/ca.cnf" -cert "$1" -keyfile "$2" \
		-in "$3" -out "$4" "${dates[@]}" -extfile "$work/ext.cnf" -extensions ext \
		2>/dev/null
}

newkey "$work/root.key"
openssl req -new -key "$work/root.key" -subj "/CN=certcheck test root" -out "$work/root.csr"
openssl ca -batch -notext -selfsign -config "$work/ca.cnf" -keyfile "$work/root.key" \
	-in "$work/root.csr" -out root.pem "${dates[@]}" -extensions ca_ext 2>/dev/null

newkey "$work/inter.key"
openssl req -new -key "$work/inter.key" -subj "/CN=certcheck test intermediate" -out "$work/inter.csr"
sign root.pem "$work/root.key" "$work/inter.csr" inter.pem \
	"$(sed -n '/^\[ca_ext\]/,$p' "$work/ca.cnf" | tail -n +2)"

newkey "$work/forged.key"
openssl req -new -key "$work/forged.key" -subj "/CN=certcheck test intermediate" -out "$work/forged.csr"
openssl ca -batch -notext -selfsign -config "$work/ca.cnf" -keyfile "$work/forged.key" \
	-in "$work/forged.csr" -out inter-forged.pem "${dates[@]}" -extensions ca_ext 2>/dev/null

newkey "$work/key-a.pem"
newkey "$work/key-b.pem"
openssl req -new -key "$work/key-a.pem" -subj /CN=a.example -outform DER -out csr-a.der
openssl req -new -key "$work/key-b.pem" -subj /CN=a.example -outform DER -out csr-b.der
openssl req -new -key "$work/key-a.pem" -subj /CN=a.example -out "$work/a.csr"
openssl req -new -key "$work/key-b.pem" -subj /CN=a.example -out "$work/b.csr"

leaf='basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid'
four='DNS:a.example,DNS:b.example,IP:192.0.2.1,IP:2001:db8::1'
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-ok.pem "$leaf
subjectAltName = $four"
sign inter.pem "$work/inter.key" "$work/b.csr" leaf-other-key.pem "$leaf
subjectAltName = $four"
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-upper.pem "$leaf
subjectAltName = DNS:A.EXAMPLE,DNS:B.Example,IP:192.0.2.1,IP:2001:DB8:0:0::1"
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-evil.pem "$leaf
subjectAltName = DNS:evil.example.net"
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-extra.pem "$leaf
subjectAltName = $four,DNS:c.example"
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-fewer.pem "$leaf
subjectAltName = DNS:a.example"
sign inter.pem "$work/inter.key" "$work/a.csr" leaf-dnsip.pem "$leaf
subjectAltName = DNS:a.example,DNS:b.example,DNS:192.0.2.1,IP:2001:db8::1"
sign root.pem "$work/root.key" "$work/a.csr" leaf-root.pem "$leaf
subjectAltName = $four"

{
	echo '-----BEGIN CERTIFICATE-----'
	printf 'this is text shaped like PEM, not a DER certificate' | base64
	echo '-----END CERTIFICATE-----'
} >not-a-cert.pem
