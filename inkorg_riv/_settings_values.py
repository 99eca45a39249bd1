"""Value checks and the TOML / environment readers behind :mod:`inkorg_riv.settings`.

Pure helpers: every problem is a :class:`~inkorg_riv.errors.ConfigurationError` whose message
starts with the name of the key. :func:`env_settings` is the only reader of a process
environment mapping, and it is called only from ``ClientSettings.from_env``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

_SIMPLE_KEYS = frozenset({
    "base_url", "logical_address", "p12", "cert", "key", "password_env", "ca",
    "pool_size", "rate_limit", "validate_requests", "validate_responses",
    "acting_on_behalf_of", "expiry_warning_days", "read_only_operations",
    "duplicate_markers", "path_template",
})  # fmt: skip
_PATH_KEYS = frozenset({"p12", "cert", "key", "ca"})
_TABLES = {"timeouts": {"connect", "read"}, "retry": {"max_attempts", "backoff_base",
                                                      "backoff_cap"}}  # fmt: skip


def settings_kwargs(
    data: Mapping[str, Any], environment: str, environments: Collection[str], *,
    base: Path | None,
) -> dict[str, Any]:
    """Keyword arguments for ``ClientSettings`` from parsed TOML (or :func:`env_settings`).

    Top-level keys, overlaid with the table named ``environment``; other tables named in
    ``environments`` are skipped. ``retry`` comes back as a dict of ``RetryPolicy`` arguments;
    relative paths are joined to ``base``.
    """
    values: dict[str, Any] = {}
    for key, value in _merged(data, environment, environments).items():
        if key == "environment":
            continue
        if key in _TABLES:
            values.update(_table(key, value))
        elif key in _PATH_KEYS:
            values[key] = _path(key, value, base)
        elif key in ("read_only_operations", "duplicate_markers"):
            values[key] = tuple(check_strings(key, value))
        elif key in _SIMPLE_KEYS:
            values[key] = value
        else:
            known = sorted({*_SIMPLE_KEYS, *_TABLES, "environment", *environments})
            raise ConfigurationError(f"{key}: unknown setting; known: {known}")
    return values


def _merged(
    data: Mapping[str, Any], chosen: str, environments: Collection[str]
) -> dict[str, Any]:
    """Top-level keys, overlaid with the chosen environment's table (tables merged by key)."""
    refusal = (
        "never write the password into the settings; use password_env (the name of an "
        "environment variable) or pass password= a callable in code"
    )
    if "password" in data:
        raise ConfigurationError(f"password: {refusal}")
    merged = {key: value for key, value in data.items() if key not in environments}
    section = data.get(chosen)
    if section is None:
        return merged
    if not isinstance(section, Mapping):
        raise ConfigurationError(f"{chosen}: expected a table")
    if "password" in section:
        raise ConfigurationError(f"{chosen}.password: {refusal}")
    for key, value in section.items():
        if key in _TABLES and isinstance(value, Mapping):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def _path(key: str, value: object, base: Path | None) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{key}: expected a path string, got {value!r}")
    resolved = Path(value).expanduser()
    return resolved if base is None or resolved.is_absolute() else base / resolved


def _table(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{name}: expected a table")
    unknown = sorted(set(value) - _TABLES[name])
    if unknown:
        raise ConfigurationError(
            f"{name}.{unknown[0]}: unknown setting; known: {sorted(_TABLES[name])}"
        )
    if name == "timeouts":
        out: dict[str, Any] = {}
        for key in ("connect", "read"):
            if key in value:
                out[f"{key}_timeout"] = check_number(f"timeouts.{key}", value[key])
        return out
    kwargs: dict[str, Any] = {k: check_number(f"retry.{k}", v) for k, v in value.items()}
    if "max_attempts" in kwargs:
        kwargs["max_attempts"] = check_whole("retry.max_attempts", kwargs["max_attempts"])
    return {"retry": kwargs}


def _env_float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a number, got {raw!r}") from None


def _env_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a whole number, got {raw!r}") from None


def _env_bool(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}: expected true or false, got {raw!r}")


def _env_text(name: str, raw: str) -> str:
    del name
    return raw


_ENV_KEYS: Mapping[str, tuple[Callable[[str, str], Any], str | None]] = {
    "environment": (_env_text, None), "base_url": (_env_text, None),
    "logical_address": (_env_text, None), "p12": (_env_text, None), "cert": (_env_text, None),
    "key": (_env_text, None), "ca": (_env_text, None), "password_env": (_env_text, None),
    "acting_on_behalf_of": (_env_text, None), "pool_size": (_env_int, None),
    "expiry_warning_days": (_env_int, None), "rate_limit": (_env_float, None),
    "validate_requests": (_env_bool, None), "validate_responses": (_env_bool, None),
    "max_attempts": (_env_int, "retry"), "connect_timeout": (_env_float, "timeouts"),
    "read_timeout": (_env_float, "timeouts"),
}  # fmt: skip


# ---------------------------------------------------------------------- checks


def check_base_url(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("base_url: required (https://host[:port] of the platform)")
    parts = urlsplit(value.strip())
    if parts.scheme != "https":
        raise ConfigurationError(
            f"base_url: {value!r} must start with https:// (the platform requires mutual TLS)"
        )
    if not parts.hostname:
        raise ConfigurationError(f"base_url: {value!r} has no host name")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url: {value!r} must not have a query or fragment")
    try:
        _ = parts.port
    except ValueError:
        raise ConfigurationError(f"base_url: {value!r} has an invalid port") from None
    return value.strip().rstrip("/")


def check_template(template: object) -> None:
    if not isinstance(template, str) or not template.startswith("/"):
        raise ConfigurationError(f"path_template: must be a string starting with /: {template!r}")
    try:
        template.format(domain_path="d", contract="C", major=2, profile="rivtabp21")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigurationError(
            f"path_template: {template!r} uses an unknown placeholder ({exc}); known: "
            "{domain_path}, {contract}, {major}, {profile}"
        ) from None


def check_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigurationError(f"{name}: must be a non-empty string without outer spaces")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ConfigurationError(f"{name}: must not contain control characters")


def check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name}: expected a number, got {value!r}")
    return float(value) if isinstance(value, float) else value


def check_whole(name: str, value: float) -> int:
    if float(value) != int(value):
        raise ConfigurationError(f"{name}: expected a whole number, got {value!r}")
    return int(value)


def check_positive(name: str, value: object) -> None:
    number = check_number(name, value)
    if not math.isfinite(number) or number <= 0:
        raise ConfigurationError(f"{name}: must be a positive number, got {value!r}")


def check_non_negative(name: str, value: object) -> None:
    number = check_number(name, value)
    if not math.isfinite(number) or number < 0:
        raise ConfigurationError(f"{name}: must not be negative, got {value!r}")


def check_positive_int(name: str, value: object, *, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{name}: must be a whole number >= {minimum}, got {value!r}")


def check_strings(name: str, value: object) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(f"{name}: expected a list of strings")
    items = list(value)
    if not all(isinstance(item, str) and item for item in items):
        raise ConfigurationError(f"{name}: expected a list of non-empty strings")
    return items




def env_settings(prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings found in ``environ`` under ``prefix`` (see ``ClientSettings.from_env``)."""
    data: dict[str, Any] = {}
    for key, (convert, table) in _ENV_KEYS.items():
        name = prefix + key.upper()
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        value = convert(name, raw)
        if table is None:
            data[key] = value
        else:
            data.setdefault(table, {})[key.removesuffix("_timeout")] = value
    if "password_env" not in data and (prefix + "PASSWORD") in environ:
        data["password_env"] = prefix + "PASSWORD"
    return data
