"""Setting a client up: the certificate named by the settings, and checks against the
environment's preset (layer L5).

Owns :func:`load_identity` and :func:`ssl_context` (errors name the setting: ``p12``,
``cert``, ``key``, ``ca``) and
:func:`check_environment`, which warns when the read timeout cannot outlast the platform's
route timeout, or when the certificate's issuer is not the SITHS CA the environment expects
(a test certificate against production, or the other way round).
"""

from __future__ import annotations

import ssl

from .._log import get_logger
from ..errors import CertificateError, ConfigurationError
from ..settings import ClientSettings, Environment
from ..tls import ClientIdentity, client_ssl_context, load_pem, load_pkcs12

_log = get_logger("client")


def ssl_context(settings: ClientSettings, identity: ClientIdentity) -> ssl.SSLContext:
    """The client TLS context; a trust store that cannot be used names ``ca``."""
    try:
        return client_ssl_context(identity, ca=settings.ca)
    except CertificateError as exc:
        raise CertificateError(f"ca: {exc}") from exc


def load_identity(settings: ClientSettings) -> ClientIdentity:
    """Load the client certificate the settings name; errors name the setting."""
    if not settings.has_certificate:
        raise ConfigurationError(
            "p12: no client certificate is configured; set p12 (with password or "
            "password_env) or cert + key, or pass a transport"
        )
    for name in ("p12", "cert", "key", "ca"):
        path = getattr(settings, name)
        if path is not None and not path.exists():
            raise ConfigurationError(f"{name}: {path} does not exist")
    if settings.environment is Environment.SIMULATOR and settings.ca is None:
        raise ConfigurationError(
            "ca: the simulator's server certificate is signed by its own test CA; set ca to "
            "its ca.pem"
        )
    password = settings.read_password()
    name = "p12" if settings.p12 is not None else "cert"
    try:
        if settings.p12 is not None:
            identity = load_pkcs12(
                settings.p12, password, expiry_warning_days=settings.expiry_warning_days
            )
        else:
            cert, key = settings.cert, settings.key
            if cert is None or key is None:  # pragma: no cover - has_certificate and settings
                raise ConfigurationError("cert: cert and key (PEM) go together")
            identity = load_pem(
                cert,
                key,
                key_password=password,
                expiry_warning_days=settings.expiry_warning_days,
            )
    except CertificateError as exc:
        raise CertificateError(f"{name}: {exc}") from exc
    if identity.info.hsa_id is None:
        raise CertificateError(
            f"{name}: the certificate ({identity.info.subject}) has no serialNumber in its "
            "subject, so it carries no HSA-id: the platform identifies consumers by it and "
            "would answer VP002 to every call. Use your SITHS function certificate."
        )
    return identity


def check_environment(settings: ClientSettings, identity: ClientIdentity | None) -> None:
    """Warn (WARNING on ``inkorg_riv.client``) when the settings cannot work well in their
    environment: a read timeout that gives up before VP009, or a certificate from the other
    SITHS chain. Warnings, not errors: issuer names can change with a CA generation."""
    preset = settings.environment.preset
    if settings.read_timeout <= preset.minimum_read_timeout:
        _log.warning(
            "read_timeout %.1f s is not above the platform's %.0f s route timeout in %s: the "
            "client gives up before VP009 can arrive, and the outcome stays unknown",
            settings.read_timeout,
            preset.minimum_read_timeout,
            preset.label,
        )
    if identity is not None and preset.client_issuers:
        issuer = identity.info.issuer
        if not any(f"CN={name}" in issuer for name in preset.client_issuers):
            _log.warning(
                "the client certificate was issued by %s, but %s expects %s (test and "
                "production certificates are separate): the platform will refuse it",
                issuer,
                preset.label,
                " or ".join(preset.client_issuers),
            )


__all__ = ["check_environment", "load_identity", "ssl_context"]
