#!/usr/bin/env python3
"""gen-certs.py - a state directory holding COUNT kept certificates, none due.

    gen-certs.py STATE COUNT SERVER_URL

For the benchmark of `acmectl renew` with nothing due at scale: instead of
COUNT issuances from Pebble, one local CA (an EC P-256 key made here) signs
COUNT one-name certificates, "cert-N.bench.example", valid from yesterday for
90 days (so not due with renew's default of 30 days), with the Authority Key
Identifier a real CA sets (so each has an ARI certificate id). Each gets the
layout acmectl keeps (include/store.h): archive/NAME/1/{privkey.pem,
cert.pem, chain.pem, fullchain.pem, issuance.json, ari.json} and the
symlink certs/NAME -> ../archive/NAME/1. ari.json says the next ARI check is
a week away, as after a check, so a nothing-due run needs no network.
One leaf key is shared by all (only its public half matters to renew).
"""

import base64
import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def serial_bytes(serial):
    """The content octets of the DER INTEGER serial (RFC 9773 certificate id)."""
    n = (serial.bit_length() + 8) // 8
    return serial.to_bytes(n, "big")


def write(path, data, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def main():
    state, count, server = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench local CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    chain = ca.public_bytes(serialization.Encoding.PEM)
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_pem = leaf_key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    for d in ("accounts", "certs", "archive"):
        os.makedirs(os.path.join(state, d), mode=0o700, exist_ok=True)
    for i in range(count):
        name = "cert-%d.bench.example" % i
        serial = x509.random_serial_number()
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                .issuer_name(ca_name).public_key(leaf_key.public_key())
                .serial_number(serial)
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=89))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]),
                               critical=False)
                .add_extension(aki, critical=False)
                .sign(ca_key, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM)
        gen = os.path.join(state, "archive", name, "1")
        os.makedirs(gen, mode=0o755)
        write(os.path.join(gen, "privkey.pem"), leaf_pem, 0o600)
        write(os.path.join(gen, "cert.pem"), pem)
        write(os.path.join(gen, "chain.pem"), chain)
        write(os.path.join(gen, "fullchain.pem"), pem + chain)
        record = {"server": server, "names": [name], "key_type": "ec256",
                  "challenge": {"type": "http-01", "webroot": "/var/www"},
                  "created": rfc3339(now), "last_attempt": rfc3339(now),
                  "last_error": None, "deploy_pending": False}
        write(os.path.join(gen, "issuance.json"),
              (json.dumps(record, indent=4, sort_keys=True) + "\n").encode())
        ari = {"cert_id": b64url(ski.digest) + "." + b64url(serial_bytes(serial)),
               "renewal_info": True, "failures": 0,
               "window_start": rfc3339(now + datetime.timedelta(days=59)),
               "window_end": rfc3339(now + datetime.timedelta(days=61)),
               "renew_at": rfc3339(now + datetime.timedelta(days=60)),
               "next_check": rfc3339(now + datetime.timedelta(days=7))}
        write(os.path.join(gen, "ari.json"),
              (json.dumps(ari, indent=4, sort_keys=True) + "\n").encode())
        os.symlink("../archive/%s/1" % name, os.path.join(state, "certs", name))


if __name__ == "__main__":
    main()
