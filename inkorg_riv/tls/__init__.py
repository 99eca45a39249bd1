"""SITHS client certificates and the client TLS context (layer L1; with ``transport`` the only
module that touches key material).

Owns loading the consumer's *function certificate* from a password-protected PKCS#12 file
(:func:`load_pkcs12`) or from PEM files (:func:`load_pem`) into a :class:`ClientIdentity`,
describing a certificate without its key (:class:`CertificateInfo`, :func:`inspect_certificate`),
the checks made at load time, and the client :class:`ssl.SSLContext`
(:func:`client_ssl_context`): TLS 1.2 or newer, the server's trust chain from a CA file or
folder (or the system store), hostname checking on.

Checks at load time: expired and not-yet-valid certificates are refused
(:class:`~inkorg_riv.errors.CertificateError` naming the date and the fix); the private key
must belong to the certificate (public keys compared). Warnings -- logged at WARNING on the
``inkorg_riv.tls`` logger *and* kept in :attr:`ClientIdentity.warnings` -- for expiry within
``expiry_warning_days`` (default 30), a subject without ``serialNumber`` (the HSA-id the
platform sees; without it the platform answers VP002), a key usage without
``digitalSignature`` or an extended key usage without ``clientAuth``.

**The private key is never written to disk unencrypted.** :mod:`ssl` can only load a key from
a file, so :meth:`ClientIdentity.apply_to` serialises the key as PKCS#8 PEM *encrypted* with a
random one-time password (``BestAvailableEncryption``), places it together with the
certificate chain in an anonymous in-memory file (``os.memfd_create`` on Linux), hands
``/proc/self/fd/N`` and the one-time password to :meth:`ssl.SSLContext.load_cert_chain`, and
closes the descriptor right after. Where ``memfd_create`` is missing (macOS, Windows) the same
*encrypted* PEM goes into a temporary file created with mode 0600 and deleted immediately after
loading. The key object stays private to :class:`ClientIdentity`; nothing exposes PEM bytes,
and an identity cannot be pickled.

Layout: ``_info`` describes certificates (pure), ``_files`` reads certificate, key and trust
files and holds the one-time file above; this module ties them into the public API.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from .._log import get_logger
from ..errors import CertificateError, ConfigurationError
from ._files import (
    CA_SUFFIXES,
    PKCS12_SUFFIXES,
    is_ca,
    load_key,
    load_trust,
    looks_like_pkcs12,
    matches,
    one_time_file,
    open_pkcs12,
    parse_certificates,
    read_file,
)
from ._info import (
    DEFAULT_EXPIRY_WARNING_DAYS,
    CertificateInfo,
    certificate_info,
    certificate_warnings,
    validity_problem,
    when,
    who,
)

_ALLOWED_MINIMUM = (
    ssl.TLSVersion.TLSv1_2,
    ssl.TLSVersion.TLSv1_3,
    ssl.TLSVersion.MAXIMUM_SUPPORTED,
)


class ClientIdentity:
    """The consumer's certificate and private key, loaded in memory.

    ``repr``/``str`` never show key material; :meth:`apply_to` loads both into an
    :class:`ssl.SSLContext` without writing the key unencrypted anywhere. Construct it with
    :func:`load_pkcs12` or :func:`load_pem` (or directly from ``cryptography`` objects).
    """

    __slots__ = ("_certificate", "_chain", "_info", "_key", "_source", "_warnings")

    def __init__(
        self,
        *,
        certificate: x509.Certificate,
        key: PrivateKeyTypes,
        chain: Sequence[x509.Certificate] = (),
        source: str = "the client certificate",
        expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
        now: datetime | None = None,
        extra_warnings: Sequence[str] = (),
    ) -> None:
        info = certificate_info(certificate, source=source)
        problem = validity_problem(info, now)
        if problem:
            raise CertificateError(f"the certificate in {source} ({who(info)}) {problem}")
        if not matches(key, certificate):
            raise CertificateError(
                f"the private key does not belong to the certificate in {source} ({who(info)}):"
                " their public keys differ; use the key that was generated with this certificate"
                " (the .p12 from the issuer holds both)"
            )
        self._certificate = certificate
        self._key = key
        self._chain = tuple(chain)
        self._info = info
        self._source = source
        self._warnings = (
            *certificate_warnings(info, expiry_warning_days=expiry_warning_days, now=now),
            *extra_warnings,
        )
        log = get_logger("tls")
        for text in self._warnings:
            log.warning("client certificate %s (%s): %s", source, who(info), text)

    @property
    def info(self) -> CertificateInfo:
        """The certificate described (safe to print)."""
        return self._info

    @property
    def certificate(self) -> x509.Certificate:
        """The client certificate (public)."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Extra certificates that came with it (intermediates, CA), sent in the handshake."""
        return self._chain

    @property
    def warnings(self) -> tuple[str, ...]:
        """What deserves attention (also logged at WARNING when loaded)."""
        return self._warnings

    @property
    def source(self) -> str:
        """The file it came from."""
        return self._source

    def apply_to(self, context: ssl.SSLContext) -> None:
        """Load certificate, chain and key into ``context`` (see the module docstring)."""
        password = secrets.token_urlsafe(32).encode("ascii")
        pem = serialization.Encoding.PEM
        blob = b"".join(c.public_bytes(pem) for c in (self._certificate, *self._chain))
        blob += self._key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
        try:
            with one_time_file(blob) as path:
                context.load_cert_chain(path, password=password)
        except ssl.SSLError as exc:
            raise CertificateError(
                f"the TLS library refused the client certificate from {self._source} "
                f"({exc.reason or exc}); use an RSA or EC key and certificate"
            ) from exc

    def __repr__(self) -> str:
        return (
            f"ClientIdentity(subject={self._info.subject!r}, hsa_id={self._info.hsa_id!r}, "
            f"not_after={when(self._info.not_after)!r}, source={self._source!r})"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError("a ClientIdentity holds a private key and cannot be pickled or copied")


def load_pkcs12(
    path: Path,
    password: bytes | str | None,
    *,
    expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
    now: datetime | None = None,
) -> ClientIdentity:
    """The identity in a PKCS#12 file (.p12/.pfx): certificate, private key, extra certificates."""
    path = Path(path)
    key, cert, extra = open_pkcs12(path, read_file(path, "PKCS#12"), password)
    if key is None:
        held = "only certificates" if cert or extra else "nothing usable"
        raise CertificateError(
            f"{path} holds no private key ({held}): export the function certificate again "
            "*with* its private key (PKCS#12 with key, as delivered by the issuer)"
        )
    if cert is None:
        cert = next((c for c in extra if matches(key, c)), None)
        if cert is None:
            raise CertificateError(
                f"{path} holds a private key but no certificate for it: export the function "
                "certificate again with both certificate and key"
            )
    chain = tuple(c for c in extra if c != cert)
    return ClientIdentity(
        certificate=cert,
        key=key,
        chain=chain,
        source=str(path),
        expiry_warning_days=expiry_warning_days,
        now=now,
    )


def load_pem(
    cert: Path,
    key: Path,
    *,
    key_password: bytes | str | None = None,
    expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
    now: datetime | None = None,
) -> ClientIdentity:
    """The identity in a certificate file (PEM, leaf first or any order; DER) and a PEM key."""
    cert, key = Path(cert), Path(key)
    certs = parse_certificates(cert, read_file(cert, "certificate"))
    private_key, notes = load_key(key, key_password)
    leaf = next((c for c in certs if matches(private_key, c)), certs[0])
    return ClientIdentity(
        certificate=leaf,
        key=private_key,
        chain=tuple(c for c in certs if c != leaf),
        source=str(cert),
        expiry_warning_days=expiry_warning_days,
        now=now,
        extra_warnings=notes,
    )


def inspect_certificate(path: Path, password: bytes | str | None = None) -> CertificateInfo:
    """Describe the certificate in ``path``: PEM or DER (.pem/.crt/.cer), or PKCS#12
    (.p12/.pfx, needs ``password``). A PEM or DER file is read without any key."""
    path = Path(path)
    data = read_file(path, "certificate")
    if path.suffix.lower() in PKCS12_SUFFIXES or (
        b"-----BEGIN" not in data and looks_like_pkcs12(data)
    ):
        key, cert, extra = open_pkcs12(path, data, password)
        if cert is None and key is not None:
            cert = next((c for c in extra if matches(key, c)), None)
        del key  # only the certificate is described
        if cert is None:
            leaves = [c for c in extra if not is_ca(c)] or extra
            if not leaves:
                raise CertificateError(f"{path} holds no certificate")
            cert = leaves[0]
        return certificate_info(cert, source=str(path))
    return certificate_info(parse_certificates(path, data)[0], source=str(path))


def client_ssl_context(
    identity: ClientIdentity,
    *,
    ca: Path | None,
    minimum_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    check_hostname: bool = True,
) -> ssl.SSLContext:
    """A client context presenting ``identity`` and verifying the server against ``ca``.

    ``ca`` is a PEM bundle or a folder of ``.pem``/``.crt``/``.cer`` files (each loaded; no
    ``c_rehash`` needed); None trusts the system's default store. The environment is not read
    here (OpenSSL itself may honour ``SSL_CERT_FILE`` for the default store only).
    """
    if minimum_version not in _ALLOWED_MINIMUM:
        raise ConfigurationError(
            f"minimum TLS version {minimum_version.name} is too old: the platform needs TLS 1.2 "
            "or newer"
        )
    if ca is None:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        load_trust(context, Path(ca))
    context.minimum_version = minimum_version
    context.check_hostname = check_hostname
    context.verify_mode = ssl.CERT_REQUIRED
    identity.apply_to(context)
    return context


__all__ = [
    "CA_SUFFIXES",
    "DEFAULT_EXPIRY_WARNING_DAYS",
    "PKCS12_SUFFIXES",
    "CertificateInfo",
    "ClientIdentity",
    "certificate_info",
    "certificate_warnings",
    "client_ssl_context",
    "inspect_certificate",
    "load_pem",
    "load_pkcs12",
    "validity_problem",
]
