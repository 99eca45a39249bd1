"""Client settings: frozen, keyword-only; from code, a TOML file, or the environment if asked.

Owns :class:`ClientSettings` (where to send, which certificate, timeouts, pool size, retries,
rate limit, validation), :class:`RetryPolicy` and the :class:`Environment` presets. A preset
carries what is the same for everyone in an environment -- the endpoint path form
``/vp/infrastructure/eservicesupply/patientportal/<Contract>/<major>/rivtabp21`` and which
SITHS CA should have issued the client certificate -- never a host name: the host and the
logical address always come from your configuration.

Nothing here reads files or the process environment on its own. :meth:`ClientSettings.from_toml`
reads the file you name; :meth:`ClientSettings.from_env` is the only reader of ``os.environ``;
``password_env`` names a variable that the client reads when it loads the certificate. A
password is never a setting: give a callable (``password=``) or a variable name.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import random
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._settings_values import (
    check_base_url,
    check_non_negative,
    check_positive,
    check_positive_int,
    check_strings,
    check_template,
    check_text,
    env_settings,
    settings_kwargs,
)
from .errors import ConfigurationError

PasswordProvider = Callable[[], "str | bytes"]
"""Returns the certificate password when the client loads the certificate."""

DEFAULT_PATH_TEMPLATE = "/vp/{domain_path}/{contract}/{major}/{profile}"
"""NTjP's endpoint form, e.g.
``/vp/infrastructure/eservicesupply/patientportal/AddMessage/2/rivtabp21``."""
SIMULATOR_LOGICAL_ADDRESS = "SE2321000016-INKORG"
"""The simulator's default logical address (kept equal to the simulator's by a test)."""
READ_ONLY_OPERATIONS = frozenset({"GetMessageThreadStatus", "IsActiveUser"})
"""Operations that change nothing: safe to resend after an unknown outcome."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentPreset:
    """What one environment fixes for every consumer (never a host name)."""

    label: str
    path_template: str = DEFAULT_PATH_TEMPLATE
    client_issuers: tuple[str, ...] = ()
    """Common names of the CAs expected to issue the client certificate (empty: any)."""
    default_logical_address: str | None = None
    minimum_read_timeout: float = 0.0
    """A read timeout at or below this is reported: VP009 would never arrive."""


_TEST_ISSUERS = ("TEST SITHS e-id Function CA v1",)
_PROD_ISSUERS = ("SITHS e-id Function CA v1",)


class Environment(enum.Enum):
    """Where the client sends: the local simulator or one of NTjP's environments."""

    SIMULATOR = "simulator"
    NTJP_TEST = "ntjp-test"
    NTJP_QA = "ntjp-qa"
    NTJP_PROD = "ntjp-prod"

    @property
    def preset(self) -> EnvironmentPreset:
        """The fixed parts of this environment."""
        return _PRESETS[self]

    @classmethod
    def parse(cls, value: str | Environment) -> Environment:
        """``"ntjp-test"``, ``"NTJP_TEST"`` or a member; ConfigurationError names the choices."""
        if isinstance(value, Environment):
            return value
        text = str(value).strip().lower().replace("_", "-")
        for member in cls:
            if member.value == text:
                return member
        known = ", ".join(m.value for m in cls)
        raise ConfigurationError(f"environment: unknown {value!r}; use one of {known}")


ENVIRONMENT_NAMES = frozenset(m.value for m in Environment)
"""Names of the per-environment tables in a settings file."""

_PRESETS: Mapping[Environment, EnvironmentPreset] = {
    Environment.SIMULATOR: EnvironmentPreset(
        label="local simulator", default_logical_address=SIMULATOR_LOGICAL_ADDRESS
    ),
    Environment.NTJP_TEST: EnvironmentPreset(
        label="NTjP TEST", client_issuers=_TEST_ISSUERS, minimum_read_timeout=30.0
    ),
    Environment.NTJP_QA: EnvironmentPreset(
        label="NTjP QA", client_issuers=_TEST_ISSUERS, minimum_read_timeout=30.0
    ),
    Environment.NTJP_PROD: EnvironmentPreset(
        label="NTjP PROD", client_issuers=_PROD_ISSUERS, minimum_read_timeout=30.0
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently a call is repeated when a repeat is known to be safe.

    The wait before attempt ``n + 1`` is drawn uniformly from ``[0, min(cap, base * 2**(n-1))]``
    ("full jitter"). ``sleep`` and ``random`` are injectable for tests.
    """

    max_attempts: int = 3
    """Attempts in total, the first one included (1: never retry)."""
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_positive_int("retry.max_attempts", self.max_attempts)
        check_non_negative("retry.backoff_base", self.backoff_base)
        check_non_negative("retry.backoff_cap", self.backoff_cap)

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after ``failed_attempts`` failures (1 after the first)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** max(failed_attempts - 1, 0))
        return max(0.0, min(1.0, self.random())) * ceiling


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    """Everything :class:`~inkorg_riv.client.InkorgClient` decides by. Frozen; change with
    :meth:`replace`. Invalid values raise :class:`~inkorg_riv.errors.ConfigurationError`
    naming the key."""

    environment: Environment = Environment.SIMULATOR
    base_url: str
    """``https://host[:port][/prefix]``: the platform's address (configuration, never a preset)."""
    logical_address: str = ""
    """The receiver's logical address (an HSA-id from the TAK order); empty takes the
    environment's default, which only the simulator has."""
    p12: Path | None = None
    """The SITHS function certificate as PKCS#12 (.p12/.pfx) -- or ``cert`` + ``key`` (PEM)."""
    cert: Path | None = None
    key: Path | None = None
    password: PasswordProvider | None = field(default=None, repr=False, compare=False)
    """Returns the .p12 password (or the PEM key's); never stored, called at load time."""
    password_env: str | None = None
    """Name of the environment variable holding the password (read at load time)."""
    ca: Path | None = None
    """The CA file (or folder) that verifies the platform's server certificate."""
    connect_timeout: float = 5.0
    read_timeout: float = 35.0
    """Above the platform's 30 s route timeout, so that VP009 arrives instead of silence."""
    pool_size: int = 10
    """Connections kept open: the number of calls you make at the same time."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: float | None = None
    """Calls per second at most (a token bucket with a burst of ``max(1, rate_limit)``)."""
    validate_requests: bool = True
    validate_responses: bool = True
    acting_on_behalf_of: str | None = None
    """HSA-id sent as ``x-rivta-acting-on-behalf-of-hsaid`` (the commissioning party)."""
    expiry_warning_days: int = 30
    read_only_operations: frozenset[str] = READ_ONLY_OPERATIONS
    """Operations resent after an unknown outcome (they change nothing)."""
    duplicate_markers: tuple[str, ...] = ("dubblett", "duplicate")
    """Case-insensitive words in an AddMessage ``resultText`` ERROR that mean "this messageId is
    already in the inbox". The simulator writes ``Dubblett: messageId``; a real producer's
    wording is not public: add yours here."""
    path_template: str | None = None
    """Overrides the environment's endpoint path form (placeholders ``{domain_path}``,
    ``{contract}``, ``{major}``, ``{profile}``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.environment, Environment):
            object.__setattr__(self, "environment", Environment.parse(self.environment))
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        self._check_logical_address()
        for name in ("p12", "cert", "key", "ca"):
            value = getattr(self, name)
            if value is not None:
                if not isinstance(value, str | os.PathLike):
                    raise ConfigurationError(f"{name}: expected a path, got {value!r}")
                object.__setattr__(self, name, Path(value))
        self._check_certificate()
        self._check_numbers()
        if not isinstance(self.retry, RetryPolicy):
            raise ConfigurationError(f"retry: expected a RetryPolicy, got {self.retry!r}")
        for name in ("validate_requests", "validate_responses"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(f"{name}: expected true or false")
        if self.acting_on_behalf_of is not None:
            check_text("acting_on_behalf_of", self.acting_on_behalf_of)
        read_only = frozenset(check_strings("read_only_operations", self.read_only_operations))
        object.__setattr__(self, "read_only_operations", read_only)
        markers = tuple(check_strings("duplicate_markers", self.duplicate_markers))
        object.__setattr__(self, "duplicate_markers", tuple(m.casefold() for m in markers))
        if self.path_template is not None:
            check_template(self.path_template)

    def _check_logical_address(self) -> None:
        if self.logical_address == "":
            default = self.environment.preset.default_logical_address
            if default is None:
                raise ConfigurationError(
                    f"logical_address: required for {self.environment.preset.label} (the "
                    "receiver's HSA-id from your TAK order; it is configuration, never guessed)"
                )
            object.__setattr__(self, "logical_address", default)
        check_text("logical_address", self.logical_address)

    def _check_numbers(self) -> None:
        for name in ("connect_timeout", "read_timeout"):
            check_positive(name, getattr(self, name))
        check_positive_int("pool_size", self.pool_size)
        if self.rate_limit is not None:
            check_positive("rate_limit", self.rate_limit)
        check_positive_int("expiry_warning_days", self.expiry_warning_days, minimum=0)

    def _check_certificate(self) -> None:
        if self.p12 is not None and (self.cert is not None or self.key is not None):
            raise ConfigurationError("p12: give either p12 or cert + key, not both")
        if (self.cert is None) != (self.key is None):
            missing = "key" if self.key is None else "cert"
            raise ConfigurationError(f"{missing}: cert and key (PEM) go together")
        if self.password is not None and not callable(self.password):
            raise ConfigurationError(
                "password: give a callable that returns the password (or password_env, the "
                "name of an environment variable); a password is never a plain setting"
            )
        if self.password is not None and self.password_env is not None:
            raise ConfigurationError("password_env: give password or password_env, not both")
        if self.password_env is not None:
            check_text("password_env", self.password_env)
        if self.p12 is not None and self.password is None and self.password_env is None:
            raise ConfigurationError(
                "password: a PKCS#12 file needs a password provider (password= a callable, or "
                "password_env= the name of an environment variable)"
            )

    # -- derived values

    @property
    def has_certificate(self) -> bool:
        """Whether a client certificate is configured (p12, or cert + key)."""
        return self.p12 is not None or self.cert is not None

    def endpoint(self, *, domain: str, contract: str, major: int, profile: str) -> str:
        """The URL of one contract: base URL + the environment's path form."""
        template = self.path_template or self.environment.preset.path_template
        path = template.format(
            domain_path=domain.replace(":", "/"), contract=contract, major=major, profile=profile
        )
        return self.base_url + path

    def read_password(self) -> bytes | None:
        """The password from the provider or the named variable (None when neither is set)."""
        if self.password is not None:
            value = self.password()
        elif self.password_env is not None:
            found = os.environ.get(self.password_env)
            if found is None:
                raise ConfigurationError(
                    f"password_env: the environment variable {self.password_env} is not set"
                )
            value = found
        else:
            return None
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, bytes):
            return value
        raise ConfigurationError("password: the provider must return str or bytes")

    def replace(self, **changes: Any) -> ClientSettings:
        """A copy with ``changes`` applied (and checked)."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigurationError(f"{unknown[0]}: unknown setting; known: {sorted(known)}")
        if (
            "environment" in changes
            and "logical_address" not in changes
            and self.logical_address == self.environment.preset.default_logical_address
        ):
            # A logical address that came from the old environment's preset does not travel.
            changes["logical_address"] = ""
        return dataclasses.replace(self, **changes)

    # -- sources

    @classmethod
    def from_toml(
        cls, path: str | Path, *, environment: str | Environment | None = None, **overrides: Any
    ) -> ClientSettings:
        """Settings from a TOML file (see ``docs/quickstart.md``); ``overrides`` win.

        Top-level keys apply to every environment; a table named after an environment
        (``[ntjp-test]``) overrides them for that one. ``environment`` (or the file's
        ``environment`` key) chooses it. Relative paths are read from the file's folder.
        """
        location = Path(path)
        try:
            data = tomllib.loads(location.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(f"{location}: cannot read the settings file: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{location}: not valid TOML: {exc}") from exc
        try:
            chosen = Environment.parse(environment or data.get("environment", "simulator"))
            values = settings_kwargs(data, chosen.value, ENVIRONMENT_NAMES, base=location.parent)
            return cls._build(chosen, values, overrides)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{location}: {exc}") from exc

    @classmethod
    def from_env(
        cls, prefix: str = "INKORG_", *, environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> ClientSettings:
        """Settings from environment variables -- only when you call this.

        Reads ``<prefix>`` + ``ENVIRONMENT``, ``BASE_URL``, ``LOGICAL_ADDRESS``, ``P12``,
        ``CERT``, ``KEY``, ``CA``, ``PASSWORD_ENV`` (else ``<prefix>PASSWORD`` is used when set),
        ``CONNECT_TIMEOUT``, ``READ_TIMEOUT``, ``POOL_SIZE``, ``RATE_LIMIT``, ``MAX_ATTEMPTS``,
        ``VALIDATE_REQUESTS``, ``VALIDATE_RESPONSES``, ``ACTING_ON_BEHALF_OF``,
        ``EXPIRY_WARNING_DAYS``.
        """
        data = env_settings(prefix, os.environ if environ is None else environ)
        chosen = Environment.parse(data.get("environment", "simulator"))
        return cls._build(chosen, settings_kwargs(data, chosen.value, (), base=None), overrides)

    @classmethod
    def _build(
        cls, environment: Environment, values: dict[str, Any], overrides: Mapping[str, Any]
    ) -> ClientSettings:
        if "retry" in values:
            values["retry"] = RetryPolicy(**values["retry"])
        values["environment"] = environment
        values.update(overrides)
        if "base_url" not in values:
            raise ConfigurationError("base_url: required (https://host[:port] of the platform)")
        try:
            return cls(**values)
        except TypeError as exc:  # an unknown keyword in overrides
            raise ConfigurationError(f"settings: {exc}") from exc


__all__ = [
    "DEFAULT_PATH_TEMPLATE",
    "READ_ONLY_OPERATIONS",
    "SIMULATOR_LOGICAL_ADDRESS",
    "ClientSettings",
    "Environment",
    "EnvironmentPreset",
    "PasswordProvider",
    "RetryPolicy",
]
