"""Throwaway certificates for the simulator: ``make_test_pki`` and ``inkorg-riv simulator certs``.

Checks what integrators and the simulator rely on: the subject serialNumber carries the HSA-id,
the server certificate names 127.0.0.1 and localhost, keys and PKCS#12 files are encrypted with
the password (which is never written to disk), and ``ssl`` loads everything.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inkorg_riv.cli import _simulator as cli_simulator
from inkorg_riv.cli import build_parser
from inkorg_riv.errors import CertificateError, ConfigurationError
from inkorg_riv.simulator.certs import (
    DEFAULT_CONSUMER_HSA_ID,
    TestPki,
    existing_pki,
    hsa_id_of,
    make_test_pki,
)
from inkorg_riv.simulator.server import server_context

PASSWORD = b"pki-test-password"
HSA_A = "SE2321000016-KONSA"
HSA_B = "SE5565594230-KONSB"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    folder = tmp_path_factory.mktemp("pki")
    return make_test_pki(folder, consumers={"a": HSA_A, "b": HSA_B}, password=PASSWORD)


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def serial_numbers(certificate: x509.Certificate) -> list[str]:
    found = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return [str(attribute.value) for attribute in found]


def test_client_certificates_carry_the_hsa_id_as_serial_number(pki: TestPki) -> None:
    assert sorted(pki.consumers) == ["a", "b"]
    for name, hsa_id in (("a", HSA_A), ("b", HSA_B)):
        client = pki.consumer(name)
        certificate = cert(client.cert)
        assert client.hsa_id == hsa_id
        assert serial_numbers(certificate) == [hsa_id]
        assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        assert certificate.issuer == cert(pki.ca).subject
        assert hsa_id_of(client.cert.read_bytes()) == hsa_id


def test_negative_certificates(pki: TestPki) -> None:
    assert serial_numbers(cert(pki.no_serial.cert)) == []
    assert pki.no_serial.hsa_id is None
    expired = cert(pki.expired.cert)
    assert expired.not_valid_after_utc < datetime.datetime.now(datetime.UTC)


def test_server_certificate_names_loopback(pki: TestPki) -> None:
    certificate = cert(pki.server_cert)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    ca = cert(pki.ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    certificate.verify_directly_issued_by(ca)


def test_keys_and_p12_are_encrypted_and_private(pki: TestPki) -> None:
    for client in (*pki.consumers.values(), pki.no_serial, pki.expired):
        key_pem = client.key.read_bytes()
        assert b"ENCRYPTED PRIVATE KEY" in key_pem
        with pytest.raises(TypeError):
            load_pem_private_key(key_pem, password=None)
        load_pem_private_key(key_pem, password=PASSWORD)
        with pytest.raises(ValueError, match=r"(?i)invalid password|could not deserialize"):
            pkcs12.load_pkcs12(client.p12.read_bytes(), b"wrong")
        bundle = pkcs12.load_pkcs12(client.p12.read_bytes(), PASSWORD)
        assert bundle.key is not None
        assert bundle.cert is not None
        assert [c.certificate for c in bundle.additional_certs] == [cert(pki.ca)]
        for secret in (client.key, client.p12):
            assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in pki.server_key.read_bytes()
    every_file = b"".join(p.read_bytes() for p in pki.directory.iterdir())
    assert PASSWORD not in every_file


def test_ssl_loads_server_and_client_sides(pki: TestPki) -> None:
    server = server_context(pki.server_tls())
    assert server.verify_mode is ssl.CERT_REQUIRED
    client = ssl.create_default_context(cafile=str(pki.ca))
    client.load_cert_chain(str(pki.consumer("a").cert), str(pki.consumer("a").key), PASSWORD)
    bad = pki.server_tls()
    with pytest.raises(CertificateError, match="wrong password"):
        server_context(type(bad)(cert=bad.cert, key=bad.key, ca=bad.ca, password=b"nope"))


def test_existing_pki_finds_what_make_test_pki_wrote(pki: TestPki) -> None:
    again = existing_pki(pki.directory, password=PASSWORD)
    assert again.consumers == pki.consumers
    assert (again.no_serial, again.expired, again.ca) == (pki.no_serial, pki.expired, pki.ca)
    with pytest.raises(CertificateError, match="missing"):
        existing_pki(pki.directory / "nowhere", password=PASSWORD)


def test_default_consumer_and_refusals(tmp_path: Path) -> None:
    made = make_test_pki(tmp_path / "default", password=PASSWORD)
    assert made.consumer().hsa_id == DEFAULT_CONSUMER_HSA_ID
    with pytest.raises(CertificateError):
        made.consumer("nobody")
    for consumers in ({"ca": HSA_A}, {"expired": HSA_A}, {"../up": HSA_A}):
        with pytest.raises(CertificateError):
            make_test_pki(tmp_path / "x", consumers=consumers, password=PASSWORD)
    with pytest.raises(CertificateError, match="password"):
        make_test_pki(tmp_path / "y", password=b"")


# --------------------------------------------------------------------------- the CLI


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    args = build_parser((cli_simulator.register,)).parse_args(list(argv))
    assert args.handler(args) == 0
    out, err = capsys.readouterr()
    return out, err


def test_certs_command_with_a_generated_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cli_simulator.PASSWORD_ENV, raising=False)
    out, _ = run(capsys, "simulator", "certs", str(tmp_path / "pki"), "--consumer", f"sys={HSA_A}")
    password = out.rsplit("(shown once, not stored): ", 1)[1].strip()
    assert len(password) >= 20
    folder = tmp_path / "pki"
    assert hsa_id_of((folder / "sys.pem").read_bytes()) == HSA_A
    load_pem_private_key((folder / "sys-key.pem").read_bytes(), password=password.encode())
    assert password.encode() not in b"".join(p.read_bytes() for p in folder.iterdir())
    with pytest.raises(ConfigurationError, match="already holds"):
        run(capsys, "simulator", "certs", str(folder))


def test_certs_command_reads_the_password_from_a_file_or_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text("from-a-file\n", encoding="utf-8")
    out, _ = run(capsys, "simulator", "certs", str(tmp_path / "f"), "--password-file", str(secret))
    assert "shown once" not in out
    pkcs12.load_pkcs12((tmp_path / "f" / "consumer.p12").read_bytes(), b"from-a-file")
    monkeypatch.setenv(cli_simulator.PASSWORD_ENV, "from-the-environment")
    out, _ = run(capsys, "simulator", "certs", str(tmp_path / "e"))
    assert "shown once" not in out
    pkcs12.load_pkcs12((tmp_path / "e" / "consumer.p12").read_bytes(), b"from-the-environment")
    with pytest.raises(ConfigurationError):
        run(capsys, "simulator", "certs", str(tmp_path / "z"), "--consumer", "no-equals-sign")
