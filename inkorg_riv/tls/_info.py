"""What a certificate says, without its key (part of :mod:`inkorg_riv.tls`).

Owns :class:`CertificateInfo` (subject, issuer, HSA-id, validity window, key usage,
fingerprint), the validity rule (expired / not yet valid: refused) and the warnings worth
showing for a usable certificate (near expiry, no HSA-id, key usage unsuitable for TLS client
authentication). Pure: reads ``cryptography`` certificate objects, never keys or files.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import CertificateError, ConfigurationError

DEFAULT_EXPIRY_WARNING_DAYS = 30
"""Warn when a certificate expires within this many days."""

_KEY_USAGES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "contentCommitment"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
    ("encipher_only", "encipherOnly"),
    ("decipher_only", "decipherOnly"),
)
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
}
_RENEW = "order a new SITHS function certificate and install it"


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateInfo:
    """What a certificate says, safe to print and log: no key material."""

    subject: str
    issuer: str
    serial_number: str
    """The certificate's serial number, hexadecimal."""
    hsa_id: str | None
    """The subject ``serialNumber`` (OID 2.5.4.5): the consumer HSA-id the platform sees."""
    not_before: datetime
    not_after: datetime
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    fingerprint_sha256: str

    def days_left(self, now: datetime | None = None) -> float:
        """Days until :attr:`not_after` (negative once expired)."""
        return (self.not_after - now_utc(now)).total_seconds() / 86400


def certificate_info(cert: x509.Certificate, *, source: str = "the certificate") -> CertificateInfo:
    """Describe ``cert``; ``source`` names it in the error raised for broken extensions."""
    serial = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    hsa_id = str(serial[0].value).strip() if serial else ""
    try:
        extensions = cert.extensions
    except ValueError as exc:
        raise CertificateError(
            f"{source}: the certificate has malformed extensions ({exc})"
        ) from exc
    usage: tuple[str, ...] = ()
    with contextlib.suppress(x509.ExtensionNotFound):
        ku = extensions.get_extension_for_class(x509.KeyUsage).value
        usage = tuple(name for attr, name in _KEY_USAGES if _flag(ku, attr))
    eku: tuple[str, ...] = ()
    with contextlib.suppress(x509.ExtensionNotFound):
        oids = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        eku = tuple(_EKU_NAMES.get(oid, oid.dotted_string) for oid in oids)
    hex_serial = f"{cert.serial_number:X}"
    return CertificateInfo(
        subject=cert.subject.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"}),
        issuer=cert.issuer.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"}),
        serial_number=hex_serial.zfill(len(hex_serial) + len(hex_serial) % 2),
        hsa_id=hsa_id or None,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_usage=usage,
        extended_key_usage=eku,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    )


def validity_problem(info: CertificateInfo, now: datetime | None = None) -> str | None:
    """Why the certificate cannot be used at ``now`` (expired, not yet valid), or None."""
    moment = now_utc(now)
    if moment < info.not_before:
        wait = _days((info.not_before - moment).total_seconds() / 86400)
        return (
            f"is not valid until {when(info.not_before)} (in {wait}); check this machine's "
            f"clock (it says {when(moment)}) or wait until then"
        )
    if moment > info.not_after:
        return (
            f"expired on {when(info.not_after)} ({_days(-info.days_left(moment))} ago); {_RENEW}"
            " -- the platform refuses expired certificates in the TLS handshake"
        )
    return None


def certificate_warnings(
    info: CertificateInfo,
    *,
    expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
    now: datetime | None = None,
) -> tuple[str, ...]:
    """What is usable but deserves attention: near expiry, no HSA-id, unsuitable key usage."""
    if expiry_warning_days < 0:
        raise ConfigurationError(
            f"expiry_warning_days must be 0 or more, not {expiry_warning_days}"
        )
    found: list[str] = []
    left = info.days_left(now)
    if 0 <= left <= expiry_warning_days:
        found.append(f"expires in {_days(left)} ({info.not_after:%Y-%m-%d}): {_RENEW} before then")
    if info.hsa_id is None:
        found.append(
            "no serialNumber: the platform will answer VP002 (the subject serialNumber carries the "
            "consumer HSA-id; use a SITHS function certificate issued with one)"
        )
    if info.key_usage and "digitalSignature" not in info.key_usage:
        found.append(
            f"key usage {', '.join(info.key_usage)} lacks digitalSignature, which TLS client "
            "authentication needs: the server may refuse this certificate"
        )
    eku = info.extended_key_usage
    if eku and not {"clientAuth", "anyExtendedKeyUsage"} & set(eku):
        found.append(
            f"extended key usage {', '.join(eku)} lacks clientAuth: the server may refuse this "
            "certificate for TLS client authentication"
        )
    return tuple(found)


def now_utc(now: datetime | None = None) -> datetime:
    """``now`` as an aware UTC moment (naive means UTC; None means the current time)."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    """``2026-12-07 10:00:00 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def who(info: CertificateInfo) -> str:
    """``subject ..., HSA-id ...`` for messages."""
    return f"subject {info.subject}" + (f", HSA-id {info.hsa_id}" if info.hsa_id else "")


def _days(days: float) -> str:
    whole = int(days)
    return "less than a day" if whole == 0 else f"{whole} day{'s' if whole != 1 else ''}"


def _flag(usage: x509.KeyUsage, attr: str) -> bool:
    try:
        return bool(getattr(usage, attr))
    except ValueError:  # encipher_only/decipher_only are undefined without keyAgreement
        return False
