#!/usr/bin/env python3
"""make-certinfo.py - the certificates of test_certinfo's window rows.

Each is a shape a kept cert.pem can have that the light reader of renew
(certinfo_parse_window) must read as OpenSSL does: run once, the files are
committed. Validity 2020-01-01 .. 2040-01-01 unless the name says more.
v1.pem (no version field, no extensions) is made by the openssl command,
which writes version 1 when no extension is asked for:
    openssl x509 -req -in v1.csr -CA ca.pem -CAkey ca.key -set_serial 99 -days 3650
"""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

T0 = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
T1 = datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)
T2 = datetime.datetime(2051, 6, 30, 12, 0, 1, tzinfo=datetime.timezone.utc)

ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certinfo test CA")])
ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())


def leaf(name, serial=0x1234, not_after=T1, extensions=(), key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
         .issuer_name(ca_name).public_key(key.public_key()).serial_number(serial)
         .not_valid_before(T0).not_valid_after(not_after))
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    cert = b.sign(ca_key, hashes.SHA256())
    with open(name + ".pem", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


san = (x509.SubjectAlternativeName([x509.DNSName("a.example")]), False)
aki = (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
leaf("aki", extensions=[san, aki])
leaf("aki-critical", extensions=[san, (aki[0], True)])
leaf("aki-highbit-serial", serial=0x80a1b2c3d4e5f60718, extensions=[san, aki])
leaf("aki-generalized-time", not_after=T2, extensions=[aki, san])
leaf("aki-no-keyid", extensions=[san, (x509.AuthorityKeyIdentifier(
    None, [x509.DirectoryName(ca_name)], 7), False)])
leaf("no-extensions")
leaf("aki-rsa", key=rsa.generate_private_key(65537, 2048), extensions=[aki])
