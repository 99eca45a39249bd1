"""Throwaway certificates for the simulator, tests and demos (layer L6, uses ``cryptography``).

Owns :func:`make_test_pki`: a test CA, a server certificate for ``127.0.0.1``/``localhost`` and
client *function certificates* shaped like SITHS ones (subject ``serialNumber`` = the consumer's
HSA-id), each written as a certificate PEM, a password-encrypted key PEM and a password-protected
PKCS#12 file holding certificate, key and CA. Two extra client certificates exercise the
platform's refusals: one without ``serialNumber`` (VP002) and one that has expired (refused in
the TLS handshake). No private key is ever written unencrypted, and the password is never
written to disk here.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import CertificateError

DEFAULT_CONSUMER_NAME = "consumer"
DEFAULT_CONSUMER_HSA_ID = "SE2321000016-SIMCONSUMER"
"""The HSA-id of the client certificate the CLI and the pytest plugin make (fictitious)."""

NO_SERIAL_NAME = "no-serial"
EXPIRED_NAME = "expired"
_EXPIRED_HSA_ID = "SE2321000016-SIMEXPIRED"
_VALID_DAYS = 730
_KEY_BITS = 2048
_KEY_MODE = 0o600


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCert:
    """One client certificate on disk: certificate PEM, encrypted key PEM and PKCS#12."""

    name: str
    hsa_id: str | None
    """The subject serialNumber (None for the certificate made without one)."""
    cert: Path
    key: Path
    p12: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerTls:
    """What the simulator's TLS listener needs: its certificate chain and the CA it trusts."""

    cert: Path
    key: Path
    ca: Path
    """The CA whose client certificates are accepted (and which signed the server cert)."""
    password: bytes | None = field(default=None, repr=False)
    """The password of ``key`` (None for an unencrypted key made elsewhere)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TestPki:
    """A throwaway PKI written by :func:`make_test_pki`. Every key uses :attr:`password`."""

    __test__ = False  # not a pytest test class, despite the name

    directory: Path
    ca: Path
    server_cert: Path
    server_key: Path
    consumers: Mapping[str, ClientCert]
    no_serial: ClientCert
    expired: ClientCert
    password: bytes = field(repr=False)

    def server_tls(self) -> ServerTls:
        """The server side of this PKI, ready for :class:`~inkorg_riv.simulator.Simulator`."""
        return ServerTls(
            cert=self.server_cert, key=self.server_key, ca=self.ca, password=self.password
        )

    def consumer(self, name: str | None = None) -> ClientCert:
        """The client certificate called ``name`` (default: the only one, or ``consumer``)."""
        if name is None:
            name = next(iter(self.consumers)) if len(self.consumers) == 1 else DEFAULT_CONSUMER_NAME
        try:
            return self.consumers[name]
        except KeyError:
            known = ", ".join(sorted(self.consumers)) or "none"
            raise CertificateError(f"no client certificate {name!r}; made: {known}") from None


def make_test_pki(
    directory: Path,
    *,
    consumers: Mapping[str, str] | None = None,
    password: bytes,
    now: datetime.datetime | None = None,
) -> TestPki:
    """Write a fresh test PKI into ``directory`` (created if missing) and describe it.

    ``consumers`` maps a file name (``consumer``) to the HSA-id its certificate carries as
    subject serialNumber; the default is one certificate ``consumer`` with
    :data:`DEFAULT_CONSUMER_HSA_ID`. Files: ``ca.pem``, ``server.pem`` + ``server-key.pem``,
    and per client ``<name>.pem``, ``<name>-key.pem``, ``<name>.p12`` -- also for
    ``no-serial`` and ``expired``. Keys and PKCS#12 files are encrypted with ``password``.
    """
    if not password:
        raise CertificateError("a non-empty password is needed: keys are never written in clear")
    if consumers is None:
        consumers = {DEFAULT_CONSUMER_NAME: DEFAULT_CONSUMER_HSA_ID}
    wanted = dict(consumers)
    reserved = {NO_SERIAL_NAME, EXPIRED_NAME, "ca", "server"} & set(wanted)
    if reserved:
        raise CertificateError(f"client certificate names reserved by the PKI: {sorted(reserved)}")
    for name in wanted:
        if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
            raise CertificateError(f"client certificate name {name!r}: use letters, digits, -_.")
    directory.mkdir(parents=True, exist_ok=True)
    moment = now or datetime.datetime.now(datetime.UTC)
    writer = _Writer(directory, password, moment)

    ca_key = _new_key()
    ca_cert = writer.ca(ca_key)
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    server_key = _new_key()
    server_cert = writer.issue(
        ca_cert,
        ca_key,
        server_key,
        _name(common_name="localhost", organisation="inkorg-riv simulator"),
        server=True,
    )
    server_pem = directory / "server.pem"
    server_pem.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    server_key_path = writer.write_key(directory / "server-key.pem", server_key)

    made = {name: writer.client(name, hsa_id, ca_cert, ca_key) for name, hsa_id in wanted.items()}
    no_serial = writer.client(NO_SERIAL_NAME, None, ca_cert, ca_key)
    expired = writer.client(EXPIRED_NAME, _EXPIRED_HSA_ID, ca_cert, ca_key, expired=True)
    return TestPki(
        directory=directory,
        ca=ca_path,
        server_cert=server_pem,
        server_key=server_key_path,
        consumers=MappingProxyType(made),
        no_serial=no_serial,
        expired=expired,
        password=password,
    )


def existing_pki(directory: Path, *, password: bytes) -> TestPki:
    """Describe a PKI that :func:`make_test_pki` wrote earlier into ``directory``.

    The client certificates are found by their ``.p12`` files; their HSA-ids are read from the
    certificate PEMs. Raises :class:`CertificateError` when a file is missing.
    """
    names = sorted(
        p.stem for p in directory.glob("*.p12") if p.stem not in (NO_SERIAL_NAME, EXPIRED_NAME)
    )
    needed = [directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"]
    needed += [
        directory / f"{n}{suffix}"
        for n in (*names, NO_SERIAL_NAME, EXPIRED_NAME)
        for suffix in (".pem", "-key.pem", ".p12")
    ]
    missing = [p.name for p in needed if not p.is_file()]
    if missing or not names:
        what = ", ".join(missing) if missing else "client certificates (<name>.p12)"
        raise CertificateError(f"{directory} is not a complete simulator PKI: missing {what}")

    def client(name: str) -> ClientCert:
        cert = directory / f"{name}.pem"
        return ClientCert(
            name=name,
            hsa_id=hsa_id_of(cert.read_bytes()),
            cert=cert,
            key=directory / f"{name}-key.pem",
            p12=directory / f"{name}.p12",
        )

    return TestPki(
        directory=directory,
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server-key.pem",
        consumers=MappingProxyType({n: client(n) for n in names}),
        no_serial=client(NO_SERIAL_NAME),
        expired=client(EXPIRED_NAME),
        password=password,
    )


def hsa_id_of(cert_pem: bytes) -> str | None:
    """The subject serialNumber of a PEM certificate (the HSA-id of a function certificate)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    found = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(found[0].value) if found else None


# --------------------------------------------------------------------------- internals


def _new_key() -> rsa.RSAPrivateKey:
    # RSA 2048 like SITHS function certificates; generation takes a few tens of milliseconds.
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)


def _name(*, common_name: str, organisation: str, serial_number: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


class _Writer:
    """Issues certificates for one PKI and writes their files."""

    def __init__(self, directory: Path, password: bytes, now: datetime.datetime) -> None:
        self.directory = directory
        self.password = password
        self.now = now

    def ca(self, key: rsa.RSAPrivateKey) -> x509.Certificate:
        subject = _name(
            common_name="inkorg-riv TEST simulator CA", organisation="inkorg-riv simulator"
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - datetime.timedelta(hours=1))
            .not_valid_after(self.now + datetime.timedelta(days=_VALID_DAYS + 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )

    def issue(
        self,
        ca_cert: x509.Certificate,
        ca_key: rsa.RSAPrivateKey,
        key: rsa.RSAPrivateKey,
        subject: x509.Name,
        *,
        server: bool = False,
        expired: bool = False,
    ) -> x509.Certificate:
        if expired:
            start = self.now - datetime.timedelta(days=30)
            end = self.now - datetime.timedelta(days=1)
        else:
            start = self.now - datetime.timedelta(hours=1)
            end = self.now + datetime.timedelta(days=_VALID_DAYS)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                critical=False,
            )
        )
        if server:
            names: list[x509.GeneralName] = [
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            ]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    def client(
        self,
        name: str,
        hsa_id: str | None,
        ca_cert: x509.Certificate,
        ca_key: rsa.RSAPrivateKey,
        *,
        expired: bool = False,
    ) -> ClientCert:
        key = _new_key()
        subject = _name(
            common_name=f"inkorg-riv simulator {name}",
            organisation="inkorg-riv simulator consumer",
            serial_number=hsa_id,
        )
        cert = self.issue(ca_cert, ca_key, key, subject, expired=expired)
        cert_path = self.directory / f"{name}.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path = self.write_key(self.directory / f"{name}-key.pem", key)
        p12 = pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            cert,
            [ca_cert],
            serialization.BestAvailableEncryption(self.password),
        )
        p12_path = _write_private(self.directory / f"{name}.p12", p12)
        return ClientCert(name=name, hsa_id=hsa_id, cert=cert_path, key=key_path, p12=p12_path)

    def write_key(self, path: Path, key: rsa.RSAPrivateKey) -> Path:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self.password),
        )
        return _write_private(path, pem)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write_private(path: Path, data: bytes) -> Path:
    """Write key material readable by the owner only (created with mode 0600)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _KEY_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


__all__ = [
    "DEFAULT_CONSUMER_HSA_ID",
    "DEFAULT_CONSUMER_NAME",
    "ClientCert",
    "ServerTls",
    "TestPki",
    "existing_pki",
    "hsa_id_of",
    "make_test_pki",
]
