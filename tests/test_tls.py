"""``inkorg_riv.tls`` and ``inkorg-riv cert inspect``: SITHS client certificates, TLS context.

Real certificates throughout: the simulator's test PKI (``make_test_pki``) for the ordinary
cases, and certificates made here with ``cryptography`` for chosen validity windows, key usages
and host names. The TLS context is proven against the running simulator and against a small
loopback TLS server started here. Every bad input gets its specific error, and no unencrypted
private key may appear on disk while a key is loaded.
"""

from __future__ import annotations

import copy
import datetime
import functools
import http.client
import logging
import os
import pickle
import re
import shutil
import socket
import ssl
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import inkorg_riv.cli as cli_module
from inkorg_riv.cli import _cert
from inkorg_riv.errors import CertificateError, ConfigurationError
from inkorg_riv.simulator.certs import TestPki, make_test_pki
from inkorg_riv.testing import SimulatorFixture
from inkorg_riv.tls import (
    ClientIdentity,
    client_ssl_context,
    inspect_certificate,
    load_pem,
    load_pkcs12,
)

PASSWORD = b"tls-test-password"
WRONG = "Not-The-Pa55word"
HSA = "SE2321000016-TLSTEST"
UTC = datetime.UTC
Capture = pytest.CaptureFixture[str]


# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(
    *,
    start: datetime.datetime | None = None,
    days: float = 365,
    hsa_id: str | None = HSA,
    digital_signature: bool = True,
    eku: tuple[x509.ObjectIdentifier, ...] = (ExtendedKeyUsageOID.CLIENT_AUTH,),
    names: tuple[str, ...] = (),
    by: Issued | None = None,
    is_ca: bool = False,
    cn: str = "tls test",
) -> Issued:
    """A certificate with a fresh EC key, self-signed or issued ``by`` a CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = start or datetime.datetime.now(UTC) - datetime.timedelta(hours=1)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if hsa_id:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, hsa_id))
    subject = x509.Name(attributes)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(by.cert.subject if by else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=False,
                key_encipherment=not digital_signature,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if names:
        sans: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return Issued(builder.sign(by.key if by else key, hashes.SHA256()), key)


def write_pem(
    folder: Path, name: str, issued: Issued, *, encrypt: bool = True
) -> tuple[Path, Path]:
    cert = folder / f"{name}.pem"
    cert.write_bytes(issued.cert.public_bytes(serialization.Encoding.PEM))
    algorithm: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(PASSWORD) if encrypt else serialization.NoEncryption()
    )
    key = folder / f"{name}-key.pem"
    key.write_bytes(
        issued.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, algorithm
        )
    )
    key.chmod(0o600)
    return cert, key


def write_p12(
    path: Path,
    key: Any,
    cert: x509.Certificate | None,
    cas: list[x509.Certificate] | None = None,
) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        b"test", key, cert, cas, serialization.BestAvailableEncryption(PASSWORD)
    )
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_test_pki(
        tmp_path_factory.mktemp("tls-pki"), consumers={"consumer": HSA}, password=PASSWORD
    )


# --------------------------------------------------------------------------- loading


def test_pkcs12_loads_certificate_key_chain_and_hsa_id(pki: TestPki) -> None:
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    cert = x509.load_pem_x509_certificate(pki.consumer().cert.read_bytes())
    info = identity.info
    assert info.hsa_id == HSA
    assert "serialNumber=" + HSA in info.subject
    assert "TEST simulator CA" in info.issuer
    assert info.serial_number == f"{cert.serial_number:X}".zfill(len(info.serial_number))
    assert info.not_before == cert.not_valid_before_utc
    assert info.not_after == cert.not_valid_after_utc
    assert info.not_after.tzinfo is not None
    assert info.not_after.utcoffset() == datetime.timedelta(0)
    assert info.key_usage == ("digitalSignature", "keyEncipherment")
    assert info.extended_key_usage == ("clientAuth",)
    assert info.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex(":").upper()
    assert identity.certificate == cert
    assert [c.subject for c in identity.chain] == [
        x509.load_pem_x509_certificate(pki.ca.read_bytes()).subject
    ]
    assert identity.warnings == ()
    assert load_pkcs12(pki.consumer().p12, PASSWORD.decode()).info == info  # str password


def test_pem_files_give_the_same_identity(pki: TestPki) -> None:
    consumer = pki.consumer()
    from_pem = load_pem(consumer.cert, consumer.key, key_password=PASSWORD)
    assert from_pem.info == load_pkcs12(consumer.p12, PASSWORD).info
    assert from_pem.chain == ()


def test_pem_bundle_with_chain_first_finds_the_leaf(tmp_path: Path) -> None:
    ca = issue(is_ca=True, hsa_id=None, eku=(), cn="bundle CA")
    leaf = issue(by=ca)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        ca.cert.public_bytes(serialization.Encoding.PEM)
        + leaf.cert.public_bytes(serialization.Encoding.PEM)
    )
    _, key = write_pem(tmp_path, "leaf", leaf)
    identity = load_pem(bundle, key, key_password=PASSWORD)
    assert identity.certificate == leaf.cert
    assert identity.chain == (ca.cert,)


def test_days_left() -> None:
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    info = ClientIdentity(
        certificate=(issued := issue(start=start, days=100)).cert,
        key=issued.key,
        now=start + datetime.timedelta(days=1),
    ).info
    assert info.days_left(start + datetime.timedelta(days=40)) == pytest.approx(60)
    assert info.days_left(start + datetime.timedelta(days=100, hours=12)) == pytest.approx(-0.5)
    assert info.days_left(datetime.datetime(2026, 1, 11)) == pytest.approx(90)  # naive is UTC
    current = info.days_left(datetime.datetime.now(UTC))
    assert info.days_left() == pytest.approx(current, abs=0.01)  # default: the current time


def test_identity_never_shows_or_exposes_key_material(pki: TestPki) -> None:
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    for text in (repr(identity), str(identity), repr(identity.info)):
        assert "PRIVATE" not in text
        assert HSA in text
    key_numbers = str(identity._key.private_numbers().d)  # type: ignore[union-attr]
    assert key_numbers not in repr(identity)
    public = {name: getattr(identity, name) for name in dir(identity) if not name.startswith("_")}
    for value in public.values():
        assert not isinstance(value, bytes | str) or "PRIVATE KEY" not in str(value)
    with pytest.raises(TypeError, match="private key"):
        pickle.dumps(identity)
    with pytest.raises(TypeError, match="private key"):
        copy.copy(identity)
    assert not hasattr(identity, "__dict__")


# --------------------------------------------------------------------------- checks at load time


def test_near_expiry_warns_in_the_log_and_in_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime.datetime(2026, 11, 1, 10, tzinfo=UTC)
    cert, key = write_pem(tmp_path, "soon", issue(start=start, days=20))
    now = start + datetime.timedelta(days=8)
    with caplog.at_level(logging.WARNING, logger="inkorg_riv.tls"):
        identity = load_pem(cert, key, key_password=PASSWORD, now=now)
    assert identity.warnings == (
        "expires in 12 days (2026-11-21): order a new SITHS function certificate and install "
        "it before then",
    )
    records = [r for r in caplog.records if r.name == "inkorg_riv.tls"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "expires in 12 days (2026-11-21)" in records[0].getMessage()
    assert "PRIVATE" not in records[0].getMessage()
    # configurable: 10 days of warning is not yet, 0 turns it off
    assert (
        load_pem(cert, key, key_password=PASSWORD, now=now, expiry_warning_days=10).warnings == ()
    )
    assert load_pem(cert, key, key_password=PASSWORD, now=now, expiry_warning_days=0).warnings == ()
    with pytest.raises(ConfigurationError, match="expiry_warning_days"):
        load_pem(cert, key, key_password=PASSWORD, now=now, expiry_warning_days=-1)


def test_expired_certificate_is_refused_with_the_date_and_the_fix(
    tmp_path: Path, pki: TestPki
) -> None:
    start = datetime.datetime(2025, 1, 1, tzinfo=UTC)
    issued = issue(start=start, days=365)
    p12 = write_p12(tmp_path / "old.p12", issued.key, issued.cert)
    with pytest.raises(CertificateError) as caught:
        load_pkcs12(p12, PASSWORD)
    message = str(caught.value)
    assert "expired on 2026-01-01 00:00:00 UTC" in message
    assert "order a new SITHS function certificate" in message
    assert str(p12) in message
    with pytest.raises(CertificateError, match="expired on"):
        load_pkcs12(pki.expired.p12, PASSWORD)
    with pytest.raises(CertificateError, match="expired on"):
        load_pem(pki.expired.cert, pki.expired.key, key_password=PASSWORD)


def test_not_yet_valid_certificate_is_refused(tmp_path: Path) -> None:
    start = datetime.datetime(2026, 12, 1, tzinfo=UTC)
    cert, key = write_pem(tmp_path, "future", issue(start=start))
    with pytest.raises(CertificateError) as caught:
        load_pem(cert, key, key_password=PASSWORD, now=start - datetime.timedelta(days=3))
    message = str(caught.value)
    assert "not valid until 2026-12-01 00:00:00 UTC (in 3 days)" in message
    assert "clock" in message
    # the same files are fine once the day has come
    assert load_pem(cert, key, key_password=PASSWORD, now=start + datetime.timedelta(days=1))


def test_key_that_does_not_match_the_certificate_is_refused(tmp_path: Path) -> None:
    cert, _ = write_pem(tmp_path, "a", issue())
    _, other_key = write_pem(tmp_path, "b", issue())
    with pytest.raises(CertificateError, match="does not belong to the certificate"):
        load_pem(cert, other_key, key_password=PASSWORD)
    with pytest.raises(CertificateError, match="public keys differ"):
        ClientIdentity(certificate=issue().cert, key=issue().key)


def test_certificate_without_serial_number_loads_with_a_vp002_warning(pki: TestPki) -> None:
    identity = load_pkcs12(pki.no_serial.p12, PASSWORD)
    assert identity.info.hsa_id is None
    assert any(
        w.startswith("no serialNumber: the platform will answer VP002") for w in identity.warnings
    )


def test_key_usage_unfit_for_client_authentication_warns() -> None:
    no_signature = issue(digital_signature=False)
    identity = ClientIdentity(certificate=no_signature.cert, key=no_signature.key)
    assert any("lacks digitalSignature" in w for w in identity.warnings)
    server_only = issue(eku=(ExtendedKeyUsageOID.SERVER_AUTH,))
    identity = ClientIdentity(certificate=server_only.cert, key=server_only.key)
    assert identity.info.extended_key_usage == ("serverAuth",)
    assert any("lacks clientAuth" in w for w in identity.warnings)
    no_eku = issue(eku=())
    assert ClientIdentity(certificate=no_eku.cert, key=no_eku.key).warnings == ()


def test_unencrypted_key_readable_by_others_warns(tmp_path: Path) -> None:
    cert, key = write_pem(tmp_path, "plain", issue(), encrypt=False)
    assert load_pem(cert, key).warnings == ()
    key.chmod(0o644)
    assert any("chmod 600" in w for w in load_pem(cert, key).warnings)


# --------------------------------------------------------------------------- bad input


def error_of(call: Callable[[], object]) -> str:
    with pytest.raises(CertificateError) as caught:
        call()
    return str(caught.value)


def test_wrong_password_names_the_file_and_never_the_password(pki: TestPki) -> None:
    p12 = pki.consumer().p12
    message = error_of(lambda: load_pkcs12(p12, WRONG))
    assert message.startswith(f"wrong password for {p12}")
    assert WRONG not in message
    assert PASSWORD.decode() not in message
    message = error_of(lambda: load_pkcs12(p12, None))
    assert message.startswith(f"no password given for {p12}")
    consumer = pki.consumer()
    message = error_of(lambda: load_pem(consumer.cert, consumer.key, key_password=WRONG))
    assert message.startswith(f"wrong password for {consumer.key}")
    assert WRONG not in message
    message = error_of(lambda: inspect_certificate(p12, WRONG))
    assert message.startswith(f"wrong password for {p12}")


def test_pkcs12_without_key_or_without_certificate(tmp_path: Path) -> None:
    issued = issue()
    no_key = write_p12(tmp_path / "nokey.p12", None, issued.cert)
    assert "holds no private key (only certificates)" in error_of(
        lambda: load_pkcs12(no_key, PASSWORD)
    )
    no_cert = write_p12(tmp_path / "nocert.p12", issued.key, None)
    assert "holds a private key but no certificate" in error_of(
        lambda: load_pkcs12(no_cert, PASSWORD)
    )
    assert "holds no certificate" in error_of(lambda: inspect_certificate(no_cert, PASSWORD))
    # a certificate stored without its local key id is still found by its public key
    bare = write_p12(tmp_path / "bare.p12", issued.key, None, [issue().cert, issued.cert])
    assert load_pkcs12(bare, PASSWORD).certificate == issued.cert
    # ... and inspecting a key-less file shows its certificate
    assert inspect_certificate(no_key, PASSWORD).hsa_id == HSA


def test_missing_unreadable_and_corrupt_files(tmp_path: Path, pki: TestPki) -> None:
    missing = tmp_path / "missing.p12"
    assert error_of(lambda: load_pkcs12(missing, PASSWORD)) == (
        f"PKCS#12 file {missing} does not exist: check the path"
    )
    assert "does not exist" in error_of(lambda: inspect_certificate(tmp_path / "x.pem"))
    assert "does not exist" in error_of(
        lambda: load_pem(pki.consumer().cert, tmp_path / "k.pem", key_password=PASSWORD)
    )
    assert "is a folder" in error_of(lambda: load_pkcs12(tmp_path, PASSWORD))
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(os.urandom(600))
    assert "is not a PKCS#12 file or it is damaged or truncated" in error_of(
        lambda: load_pkcs12(garbage, PASSWORD)
    )
    truncated = tmp_path / "truncated.p12"
    truncated.write_bytes(pki.consumer().p12.read_bytes()[:-40])
    assert "damaged or truncated" in error_of(lambda: load_pkcs12(truncated, PASSWORD))
    assert "(it is PEM text: use load_pem)" in error_of(
        lambda: load_pkcs12(pki.consumer().cert, PASSWORD)
    )
    bad_pem = tmp_path / "bad.pem"
    bad_pem.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    assert "holds no readable PEM certificate" in error_of(lambda: inspect_certificate(bad_pem))
    assert "neither PEM nor DER" in error_of(
        lambda: inspect_certificate(garbage.rename(tmp_path / "garbage.cer"))
    )
    assert "holds a private key, not a certificate" in error_of(
        lambda: load_pem(pki.consumer().key, pki.consumer().key, key_password=PASSWORD)
    )
    assert "holds no private key" in error_of(
        lambda: load_pem(pki.consumer().cert, pki.consumer().cert, key_password=PASSWORD)
    )
    assert "is a PKCS#12 file, not a certificate" in error_of(
        lambda: load_pem(pki.consumer().p12, pki.consumer().key, key_password=PASSWORD)
    )
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        unreadable = tmp_path / "unreadable.p12"
        shutil.copy(pki.consumer().p12, unreadable)
        unreadable.chmod(0)
        assert "cannot read PKCS#12 file" in error_of(lambda: load_pkcs12(unreadable, PASSWORD))


def test_encrypted_pem_key_without_password(pki: TestPki) -> None:
    consumer = pki.consumer()
    message = error_of(lambda: load_pem(consumer.cert, consumer.key))
    assert message == (
        f"the private key {consumer.key} is encrypted but no password was given: pass key_password"
    )


def test_ca_path_missing_or_without_certificates(tmp_path: Path, pki: TestPki) -> None:
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    missing = tmp_path / "no-such-ca.pem"
    assert f"CA path {missing} does not exist" in error_of(
        lambda: client_ssl_context(identity, ca=missing)
    )
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    assert f"CA file {empty} holds no certificates" in error_of(
        lambda: client_ssl_context(identity, ca=empty)
    )
    assert "holds no certificates" in error_of(
        lambda: client_ssl_context(identity, ca=pki.consumer().key)  # a key, not a certificate
    )
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    (folder / "README.txt").write_text("no certificates here")
    assert f"CA folder {folder} holds no .pem/.crt/.cer files" in error_of(
        lambda: client_ssl_context(identity, ca=folder)
    )


def test_tls_versions_older_than_1_2_are_refused(pki: TestPki) -> None:
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    with pytest.raises(ConfigurationError, match=r"TLS 1\.2"):
        client_ssl_context(identity, ca=pki.ca, minimum_version=ssl.TLSVersion.TLSv1_1)


# --------------------------------------------------------------------------- inspect


def test_inspect_pem_and_der_without_any_key(tmp_path: Path, pki: TestPki) -> None:
    alone = tmp_path / "alone.pem"
    shutil.copy(pki.consumer().cert, alone)  # no key file beside it
    info = inspect_certificate(alone)
    assert info.hsa_id == HSA
    der = tmp_path / "alone.cer"
    der.write_bytes(
        x509.load_pem_x509_certificate(alone.read_bytes()).public_bytes(serialization.Encoding.DER)
    )
    assert inspect_certificate(der) == info
    assert inspect_certificate(pki.consumer().p12, PASSWORD) == info
    assert inspect_certificate(pki.expired.cert).days_left() < 0  # inspect does not refuse
    pfx = tmp_path / "renamed.bin"
    shutil.copy(pki.consumer().p12, pfx)
    assert inspect_certificate(pfx, PASSWORD) == info  # PKCS#12 found by its content


# --------------------------------------------------------------------------- the TLS context


def https_status(host: str, port: int, context: ssl.SSLContext) -> int:
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_context_makes_a_mutual_tls_request_to_the_simulator(
    inkorg_simulator: SimulatorFixture, tmp_path: Path
) -> None:
    sim = inkorg_simulator
    identity = load_pkcs12(sim.p12, sim.password)
    context = client_ssl_context(identity, ca=sim.ca_file)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED
    url = urlsplit(sim.url)
    assert url.hostname
    assert url.port
    assert 100 <= https_status(url.hostname, url.port, context) < 600
    # a CA folder (any of .pem/.crt/.cer, no c_rehash) works the same way
    folder = tmp_path / "trust"
    folder.mkdir()
    shutil.copy(sim.ca_file, folder / "simulator-ca.crt")
    pem_identity = load_pem(sim.client_cert, sim.client_key, key_password=sim.password)
    context = client_ssl_context(pem_identity, ca=folder, minimum_version=ssl.TLSVersion.TLSv1_3)
    assert 100 <= https_status("localhost", url.port, context) < 600


def test_a_ca_that_does_not_verify_the_server_fails_the_handshake(
    inkorg_simulator: SimulatorFixture, tmp_path: Path
) -> None:
    sim = inkorg_simulator
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(
        issue(is_ca=True, hsa_id=None, eku=(), cn="some other CA").cert.public_bytes(
            serialization.Encoding.PEM
        )
    )
    context = client_ssl_context(load_pkcs12(sim.p12, sim.password), ca=other_ca)
    port = urlsplit(sim.url).port
    assert port
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        https_status("127.0.0.1", port, context)
    assert "certificate verify failed" in str(caught.value)


@contextmanager
def tls_server(cert: Path, key: Path) -> Iterator[int]:
    """A loopback TLS server answering ``204`` to each connection; yields its port."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key, PASSWORD)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                with server_context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(4096)
                    tls.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            except (ssl.SSLError, OSError):
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_hostname_mismatch_fails_the_handshake(tmp_path: Path, pki: TestPki) -> None:
    ca = issue(is_ca=True, hsa_id=None, eku=(), cn="hostname test CA")
    server = issue(
        by=ca,
        hsa_id=None,
        eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
        names=("vp.other.example",),
        cn="vp.other.example",
    )
    cert, key = write_pem(tmp_path, "server", server)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    with tls_server(cert, key) as port:
        with pytest.raises(ssl.SSLCertVerificationError) as caught:
            https_status("localhost", port, client_ssl_context(identity, ca=ca_file))
        assert "Hostname mismatch" in str(caught.value)
        with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
            https_status("127.0.0.1", port, client_ssl_context(identity, ca=ca_file))
        # the chain itself is fine: without the host name check the same server answers
        relaxed = client_ssl_context(identity, ca=ca_file, check_hostname=False)
        assert https_status("127.0.0.1", port, relaxed) == 204


# --------------------------------------------------------------------------- no key on disk

_CLEAR_KEY = re.compile(rb"-----BEGIN (?:RSA |EC |DSA )?PRIVATE KEY-----")


def clear_keys(*folders: Path, deep: bool = False) -> set[Path]:
    """Files under ``folders`` holding an unencrypted PEM private key."""
    found: set[Path] = set()
    for folder in folders:
        for path in folder.rglob("*") if deep else folder.iterdir():
            try:
                if not path.is_file() or path.stat().st_size > 1_000_000:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if _CLEAR_KEY.search(data) and b"Proc-Type: 4,ENCRYPTED" not in data:
                found.add(path)
    return found


class SpyContext(ssl.SSLContext):
    """Records what ``load_cert_chain`` was given and what the disk held at that moment."""

    seen: list[tuple[str, bytes, int, set[Path]]]
    watch: tuple[Path, ...] = ()

    def load_cert_chain(self, certfile: Any, keyfile: Any = None, password: Any = None) -> None:
        path = str(certfile)
        data = Path(path).read_bytes()
        mode = stat.S_IMODE(os.stat(path).st_mode)
        during = clear_keys(Path(tempfile.gettempdir())) | clear_keys(*self.watch, deep=True)
        self.seen.append((path, data, mode, during))
        super().load_cert_chain(certfile, keyfile, password)


def spy(watch: Path) -> SpyContext:
    context = SpyContext(ssl.PROTOCOL_TLS_CLIENT)
    context.seen = []
    context.watch = (watch,)
    return context


def assert_only_encrypted(data: bytes) -> None:
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data
    assert not _CLEAR_KEY.search(data)
    assert data.count(b"PRIVATE KEY-----") == 2  # BEGIN + END of the encrypted block only
    assert PASSWORD not in data


def test_apply_to_keeps_the_key_off_disk_with_memfd(tmp_path: Path, pki: TestPki) -> None:
    if not hasattr(os, "memfd_create"):
        pytest.skip("memfd_create is Linux only")
    identity = load_pkcs12(pki.consumer().p12, PASSWORD)
    temp = Path(tempfile.gettempdir())
    before = clear_keys(temp) | clear_keys(tmp_path, deep=True)
    context = spy(tmp_path)
    identity.apply_to(context)
    ((path, data, _, during),) = context.seen
    assert path.startswith("/proc/self/fd/")
    assert not Path(path).exists()  # closed right after loading
    assert_only_encrypted(data)
    assert during <= before
    assert clear_keys(temp) | clear_keys(tmp_path, deep=True) <= before


def test_apply_to_fallback_uses_a_private_temporary_file_with_encrypted_key(
    tmp_path: Path, pki: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "memfd_create", raising=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    identity = load_pem(pki.consumer().cert, pki.consumer().key, key_password=PASSWORD)
    context = spy(tmp_path)
    identity.apply_to(context)
    ((path, data, mode, during),) = context.seen
    assert Path(path).parent == scratch
    assert mode == 0o600
    assert_only_encrypted(data)
    assert during == set()
    assert list(scratch.iterdir()) == []  # deleted immediately
    assert clear_keys(tmp_path, deep=True) == set()


# --------------------------------------------------------------------------- cert inspect


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> Callable[..., tuple[int, str, str]]:
    """Run ``inkorg-riv`` in-process with the ``cert`` group registered."""
    if _cert.register not in cli_module.REGISTRARS:
        parser = functools.partial(
            cli_module.build_parser, (*cli_module.REGISTRARS, _cert.register)
        )
        monkeypatch.setattr(cli_module, "build_parser", parser)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli_module.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cert_inspect_prints_the_certificate_and_never_the_key(
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    pki: TestPki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password_file = tmp_path / "password.txt"
    password_file.write_bytes(PASSWORD + b"\n")
    code, out, err = cli(
        "cert", "inspect", str(pki.consumer().p12), "--password-file", str(password_file)
    )
    assert (code, err) == (0, "")
    info = inspect_certificate(pki.consumer().cert)
    for fragment in (
        f"HSA-id:              {HSA}",
        f"subject:             {info.subject}",
        f"issuer:              {info.issuer}",
        f"SHA-256 fingerprint: {info.fingerprint_sha256}",
        "key usage:           digitalSignature, keyEncipherment",
        "extended key usage:  clientAuth",
        "days left)",
        "valid from:",
        "status:              OK",
    ):
        assert fragment in out
    assert "PRIVATE" not in out
    assert PASSWORD.decode() not in out
    monkeypatch.setenv("INKORG_TEST_P12_PASSWORD", PASSWORD.decode())
    code, env_out, _ = cli(
        "cert", "inspect", str(pki.consumer().p12), "--password-env", "INKORG_TEST_P12_PASSWORD"
    )
    assert code == 0
    assert env_out.replace(str(pki.consumer().p12), "") == out.replace(str(pki.consumer().p12), "")
    code, pem_out, _ = cli("cert", "inspect", str(pki.consumer().cert))  # no password needed
    assert code == 0
    assert f"HSA-id:              {HSA}" in pem_out


def test_cert_inspect_exit_codes(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, pki: TestPki
) -> None:
    code, out, _ = cli("cert", "inspect", str(pki.expired.cert))
    assert code == 1
    assert "status:              NOT USABLE: expired on" in out
    assert "expired " in out
    code, out, _ = cli("cert", "inspect", str(pki.no_serial.cert))
    assert code == 1
    assert "HSA-id:              (none" in out
    assert "warning: no serialNumber: the platform will answer VP002" in out
    future = tmp_path / "future.pem"
    start = datetime.datetime.now(UTC) + datetime.timedelta(days=2)
    future.write_bytes(issue(start=start).cert.public_bytes(serialization.Encoding.PEM))
    code, out, _ = cli("cert", "inspect", str(future))
    assert code == 1
    assert "NOT USABLE: is not valid until" in out
    soon = tmp_path / "soon.pem"
    soon.write_bytes(issue(days=5).cert.public_bytes(serialization.Encoding.PEM))
    code, out, _ = cli("cert", "inspect", str(soon))
    assert code == 0
    assert "warning: expires in " in out
    code, out, _ = cli("cert", "inspect", str(soon), "--warn-days", "2")
    assert code == 0
    assert "warning" not in out


def test_cert_inspect_unreadable_input_exits_2_with_one_error_line(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, pki: TestPki
) -> None:
    def one_error(*argv: str) -> str:
        code, out, err = cli(*argv)
        assert code == 2
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("inkorg-riv: error: ")
        return lines[0]

    assert "does not exist" in one_error("cert", "inspect", str(tmp_path / "missing.pem"))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(WRONG + "\n")
    line = one_error("cert", "inspect", str(pki.consumer().p12), "--password-file", str(wrong))
    assert "wrong password for" in line
    assert WRONG not in line
    line = one_error("cert", "inspect", str(pki.consumer().p12))
    assert "--password-file F or --password-env VAR" in line
    line = one_error(
        "cert", "inspect", str(pki.consumer().p12), "--password-env", "INKORG_TEST_UNSET_VARIABLE"
    )
    assert "INKORG_TEST_UNSET_VARIABLE is not set" in line
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello")
    assert "neither PEM nor DER" in one_error("cert", "inspect", str(garbage))
    code, _, _ = cli("cert", "inspect", str(garbage), "--warn-days", "-3")
    assert code == 2
