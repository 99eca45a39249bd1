"""Reading certificate, key and trust files (part of :mod:`inkorg_riv.tls`).

Owns turning files into ``cryptography`` objects with a specific
:class:`~inkorg_riv.errors.CertificateError` for every way they go wrong (missing, unreadable,
damaged, wrong password, no password, no key, no certificate), loading a CA file or folder
into an :class:`ssl.SSLContext`, and :func:`one_time_file`, the only place key material (always
*encrypted*) is handed to :mod:`ssl` through a path. Passwords are never echoed in messages.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from ..errors import CertificateError

CA_SUFFIXES = (".pem", ".crt", ".cer")
"""File suffixes loaded from a CA folder."""
PKCS12_SUFFIXES = (".p12", ".pfx")
"""File suffixes read as PKCS#12 by :func:`~inkorg_riv.tls.inspect_certificate`."""

Pkcs12Content = tuple[PrivateKeyTypes | None, x509.Certificate | None, list[x509.Certificate]]


def is_ca(cert: x509.Certificate) -> bool:
    """Whether ``cert`` says it is a CA (basicConstraints)."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


def _spki(public: object) -> bytes | None:
    encode = getattr(public, "public_bytes", None)
    if encode is None:
        return None
    der: bytes = encode(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def matches(key: PrivateKeyTypes, cert: x509.Certificate) -> bool:
    """Whether ``key`` is the private half of ``cert``'s public key."""
    try:
        theirs = _spki(cert.public_key())
    except (ValueError, UnsupportedAlgorithm):
        return False
    return theirs is not None and _spki(key.public_key()) == theirs


def password_bytes(password: bytes | str | None) -> bytes | None:
    """A password as bytes (text is UTF-8 encoded)."""
    return password.encode("utf-8") if isinstance(password, str) else password


def read_file(path: Path, what: str) -> bytes:
    """The bytes of ``path``; ``what`` names the file's role in errors."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CertificateError(f"{what} file {path} does not exist: check the path") from None
    except IsADirectoryError:
        raise CertificateError(f"{what} file {path} is a folder, not a file") from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise CertificateError(f"cannot read {what} file {path}: {reason}") from exc


def looks_like_pkcs12(data: bytes) -> bool:
    """A DER SEQUENCE of the file's exact length starting with INTEGER 3 (PFX version 3)."""
    if len(data) < 5 or data[0] != 0x30:
        return False
    first = data[1]
    if first == 0x80:  # BER indefinite length (older Java tools): no length to check
        return data[2:5] == b"\x02\x01\x03"
    width = 0 if first < 0x80 else first & 0x7F
    length = first if width == 0 else int.from_bytes(data[2 : 2 + width], "big")
    start = 2 + width
    return start + length == len(data) and data[start : start + 3] == b"\x02\x01\x03"


def open_pkcs12(path: Path, data: bytes, password: bytes | str | None) -> Pkcs12Content:
    """Key, certificate and extra certificates of a PKCS#12 file's bytes."""
    secret = password_bytes(password)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except UnsupportedAlgorithm as exc:
        raise CertificateError(
            f"{path} uses an encryption this OpenSSL cannot read ({exc}); export it again with "
            "AES-256 (openssl pkcs12 -export ... without -legacy)"
        ) from exc
    except ValueError as exc:
        if not looks_like_pkcs12(data):
            hint = " (it is PEM text: use load_pem)" if b"-----BEGIN" in data else ""
            raise CertificateError(
                f"{path} is not a PKCS#12 file or it is damaged or truncated{hint}"
            ) from exc
        if not secret:
            raise CertificateError(
                f"no password given for {path}: the PKCS#12 file is password-protected; pass "
                "the password that came with the certificate"
            ) from exc
        raise CertificateError(
            f"wrong password for {path}: the PKCS#12 file could not be decrypted with it (if the "
            "password is right, the file is damaged: export it again)"
        ) from exc
    return key, cert, list(extra)


def parse_certificates(path: Path, data: bytes) -> list[x509.Certificate]:
    """The certificates in PEM (one or more) or DER ``data`` read from ``path``."""
    if b"-----BEGIN" in data:
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            if b"PRIVATE KEY-----" in data and b"CERTIFICATE-----" not in data:
                raise CertificateError(
                    f"{path} holds a private key, not a certificate: give the certificate file"
                ) from exc
            raise CertificateError(
                f"{path} holds no readable PEM certificate (damaged, or another kind of PEM)"
            ) from exc
    if looks_like_pkcs12(data):
        raise CertificateError(f"{path} is a PKCS#12 file, not a certificate: use load_pkcs12")
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise CertificateError(
            f"{path} is not a certificate (neither PEM nor DER) or it is damaged"
        ) from exc


def load_key(path: Path, password: bytes | str | None) -> tuple[PrivateKeyTypes, tuple[str, ...]]:
    """The private key in a PEM (or DER) file, and a warning when it lies unprotected."""
    data = read_file(path, "private key")
    secret = password_bytes(password)
    if b"-----BEGIN" in data and b"PRIVATE KEY-----" not in data:
        raise CertificateError(f"{path} holds no private key (PEM without a PRIVATE KEY block)")
    pem = b"-----BEGIN" in data
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    encrypted = False
    try:
        try:
            key = loader(data, None)
        except TypeError:  # "Password was not given but private key is encrypted"
            encrypted = True
            if not secret:
                raise CertificateError(
                    f"the private key {path} is encrypted but no password was given: pass "
                    "key_password"
                ) from None
            key = loader(data, secret)
    except ValueError as exc:
        if encrypted:
            raise CertificateError(
                f"wrong password for {path}: the key cannot be decrypted"
            ) from exc
        raise CertificateError(f"{path} is not a readable private key or it is damaged") from exc
    except UnsupportedAlgorithm as exc:
        raise CertificateError(f"{path}: unsupported key or key encryption ({exc})") from exc
    notes: tuple[str, ...] = ()
    mode = path.stat().st_mode
    if not encrypted and mode & (stat.S_IRWXG | stat.S_IRWXO):
        notes = (f"the private key {path} is not encrypted and others can read it: chmod 600 it",)
    return key, notes


def load_trust(context: ssl.SSLContext, ca: Path) -> None:
    """Trust the certificates in the CA file or folder ``ca`` (each file loaded on its own)."""
    if not ca.exists():
        raise CertificateError(
            f"CA path {ca} does not exist: give the PEM file or folder with the certificates "
            "that issued the platform's server certificate (the SITHS e-id root and function CA)"
        )
    if ca.is_dir():
        files = sorted(p for p in ca.iterdir() if p.is_file() and p.suffix.lower() in CA_SUFFIXES)
        if not files:
            raise CertificateError(f"CA folder {ca} holds no {'/'.join(CA_SUFFIXES)} files")
    else:
        files = [ca]
    for file in files:
        data = read_file(file, "CA")
        if b"-----BEGIN" in data:
            try:
                x509.load_pem_x509_certificates(data)
            except ValueError:
                raise CertificateError(
                    f"CA file {file} holds no certificates (no readable BEGIN CERTIFICATE block)"
                ) from None
            try:
                context.load_verify_locations(cafile=str(file))
            except ssl.SSLError as exc:
                raise CertificateError(f"CA file {file} cannot be loaded: {exc.reason}") from exc
        else:
            try:
                der = x509.load_der_x509_certificate(data).public_bytes(serialization.Encoding.DER)
            except ValueError:
                raise CertificateError(
                    f"CA file {file} holds no certificates (neither PEM nor DER)"
                ) from None
            context.load_verify_locations(cadata=der)


@contextlib.contextmanager
def one_time_file(data: bytes) -> Iterator[str]:
    """A path holding ``data`` (already encrypted) for as long as the block runs."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None and os.path.isdir("/proc/self/fd"):
        fd: int = memfd_create("inkorg-riv-identity", getattr(os, "MFD_CLOEXEC", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    # NamedTemporaryFile creates the file with mode 0600 (mkstemp); it is deleted below.
    with tempfile.NamedTemporaryFile(prefix="inkorg-riv-", suffix=".pem", delete=False) as handle:
        name = handle.name
        try:
            os.chmod(name, stat.S_IRUSR | stat.S_IWUSR)
            handle.write(data)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    try:
        yield name
    finally:
        Path(name).unlink(missing_ok=True)
