"""ClientSettings: presets, TOML, overrides, from_env only when asked, bad config names the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from inkorg_riv.errors import ConfigurationError
from inkorg_riv.settings import (
    DEFAULT_PATH_TEMPLATE,
    SIMULATOR_LOGICAL_ADDRESS,
    ClientSettings,
    Environment,
    RetryPolicy,
)
from inkorg_riv.simulator.config import DEFAULT_LOGICAL_ADDRESS

BASE = "https://vp.example.invalid"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inkorg.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- presets


def test_simulator_preset_has_the_simulators_logical_address() -> None:
    assert SIMULATOR_LOGICAL_ADDRESS == DEFAULT_LOGICAL_ADDRESS
    settings = ClientSettings(base_url="https://127.0.0.1:8443")
    assert settings.environment is Environment.SIMULATOR
    assert settings.logical_address == DEFAULT_LOGICAL_ADDRESS


@pytest.mark.parametrize("environment", [Environment.NTJP_TEST, Environment.NTJP_QA,
                                         Environment.NTJP_PROD])  # fmt: skip
def test_ntjp_presets_carry_no_host_and_no_logical_address(environment: Environment) -> None:
    preset = environment.preset
    assert preset.default_logical_address is None
    assert preset.path_template == DEFAULT_PATH_TEMPLATE
    assert not any("http" in value for value in (preset.label, preset.path_template))
    with pytest.raises(ConfigurationError, match=r"^logical_address: required"):
        ClientSettings(environment=environment, base_url=BASE)


def test_presets_expect_the_right_siths_chain() -> None:
    assert Environment.NTJP_PROD.preset.client_issuers == ("SITHS e-id Function CA v1",)
    for env in (Environment.NTJP_TEST, Environment.NTJP_QA):
        assert env.preset.client_issuers == ("TEST SITHS e-id Function CA v1",)
    assert Environment.SIMULATOR.preset.client_issuers == ()


def test_endpoint_is_base_url_plus_the_path_form() -> None:
    settings = ClientSettings(
        environment="ntjp-test", base_url=BASE + "/", logical_address="SE2321000016-ABCD"
    )
    assert settings.environment is Environment.NTJP_TEST
    url = settings.endpoint(
        domain="infrastructure:eservicesupply:patientportal",
        contract="AddMessage",
        major=2,
        profile="rivtabp21",
    )
    assert url == (
        f"{BASE}/vp/infrastructure/eservicesupply/patientportal/AddMessage/2/rivtabp21"
    )
    other = settings.replace(path_template="/regional/{contract}/{major}")
    assert other.endpoint(domain="a:b", contract="X", major=1, profile="p") == (
        f"{BASE}/regional/X/1"
    )


def test_environment_parse_accepts_names_and_refuses_others() -> None:
    assert Environment.parse("NTJP_PROD") is Environment.NTJP_PROD
    assert Environment.parse("ntjp-qa") is Environment.NTJP_QA
    with pytest.raises(ConfigurationError, match=r"^environment: unknown 'prod'"):
        Environment.parse("prod")


# ---------------------------------------------------------------------- code: frozen, replace


def test_settings_are_frozen_and_keyword_only() -> None:
    settings = ClientSettings(base_url=BASE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.base_url = "https://other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ClientSettings(BASE)  # type: ignore[misc]


def test_replace_checks_and_names_unknown_keys() -> None:
    settings = ClientSettings(base_url=BASE)
    assert settings.replace(pool_size=16).pool_size == 16
    with pytest.raises(ConfigurationError, match=r"^pool_sise: unknown setting"):
        settings.replace(pool_sise=16)
    with pytest.raises(ConfigurationError, match=r"^pool_size:"):
        settings.replace(pool_size=0)


def test_replace_environment_drops_the_simulator_logical_address() -> None:
    settings = ClientSettings(base_url=BASE)
    with pytest.raises(ConfigurationError, match=r"^logical_address: required"):
        settings.replace(environment=Environment.NTJP_PROD)
    kept = ClientSettings(base_url=BASE, logical_address="SE2321000016-REAL")
    assert kept.replace(environment=Environment.NTJP_PROD).logical_address == "SE2321000016-REAL"


def test_password_is_never_a_plain_value_and_never_in_repr() -> None:
    settings = ClientSettings(base_url=BASE, p12=Path("x.p12"), password=lambda: "s3cret-pw")
    assert "s3cret" not in repr(settings)
    assert settings.read_password() == b"s3cret-pw"
    with pytest.raises(ConfigurationError, match=r"^password: give a callable"):
        ClientSettings(base_url=BASE, p12=Path("x.p12"), password="s3cret")  # type: ignore[arg-type]  # noqa: S106  (the point: a plain password is refused)


def test_password_env_is_read_only_when_the_password_is_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = ClientSettings(
        base_url=BASE, p12=Path("x.p12"), password_env="MY_P12_PW"  # noqa: S106  (a variable name)
    )
    monkeypatch.delenv("MY_P12_PW", raising=False)
    with pytest.raises(ConfigurationError, match=r"^password_env: the environment variable"):
        settings.read_password()
    monkeypatch.setenv("MY_P12_PW", "from-env")
    assert settings.read_password() == b"from-env"


def test_retry_policy_full_jitter_backoff() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=8.0, random=lambda: 1.0)
    assert [policy.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    half = RetryPolicy(random=lambda: 0.5)
    assert half.delay(3) == 1.0
    assert RetryPolicy(random=lambda: 0.0).delay(5) == 0.0


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"base_url": "http://vp.example.invalid"}, "base_url"),
        ({"base_url": "https://"}, "base_url"),
        ({"base_url": "https://h/x?y=1"}, "base_url"),
        ({"base_url": ""}, "base_url"),
        ({"logical_address": " SE123"}, "logical_address"),
        ({"logical_address": "SE\n123"}, "logical_address"),
        ({"p12": Path("a.p12")}, "password"),
        ({"p12": Path("a.p12"), "cert": Path("c.pem"), "key": Path("k.pem")}, "p12"),
        ({"cert": Path("c.pem")}, "key"),
        ({"key": Path("k.pem")}, "cert"),
        ({"p12": Path("a.p12"), "password": lambda: "x", "password_env": "X"}, "password_env"),
        ({"connect_timeout": 0}, "connect_timeout"),
        ({"read_timeout": -1.0}, "read_timeout"),
        ({"read_timeout": "35"}, "read_timeout"),
        ({"pool_size": 0}, "pool_size"),
        ({"pool_size": True}, "pool_size"),
        ({"rate_limit": 0}, "rate_limit"),
        ({"validate_requests": "yes"}, "validate_requests"),
        ({"acting_on_behalf_of": ""}, "acting_on_behalf_of"),
        ({"expiry_warning_days": -1}, "expiry_warning_days"),
        ({"read_only_operations": "IsActiveUser"}, "read_only_operations"),
        ({"path_template": "vp/{contract}"}, "path_template"),
        ({"path_template": "/vp/{nope}"}, "path_template"),
        ({"retry": 3}, "retry"),
    ],
)
def test_bad_settings_name_the_key(changes: dict[str, object], key: str) -> None:
    values: dict[str, object] = {"base_url": BASE, **changes}
    with pytest.raises(ConfigurationError) as info:
        ClientSettings(**values)  # type: ignore[arg-type]
    assert str(info.value).startswith(f"{key}:"), str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [({"max_attempts": 0}, "retry.max_attempts"), ({"backoff_base": -1}, "retry.backoff_base"),
     ({"backoff_cap": float("inf")}, "retry.backoff_cap")],
)  # fmt: skip
def test_bad_retry_policy_names_the_key(kwargs: dict[str, float], key: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{key}:"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- TOML

TOML = """
environment = "ntjp-test"
p12 = "certs/function.p12"
password_env = "INKORG_P12_PASSWORD"
ca = "/etc/inkorg/ca.pem"
pool_size = 4
rate_limit = 1.0
validate_responses = false

[timeouts]
connect = 3.0
read = 40.0

[retry]
max_attempts = 5
backoff_base = 0.25

[ntjp-test]
base_url = "https://ntjp-test.example.invalid"
logical_address = "SE2321000016-TEST"

[ntjp-prod]
base_url = "https://ntjp-prod.example.invalid"
logical_address = "SE2321000016-PROD"
pool_size = 16

[ntjp-prod.timeouts]
read = 45.0
"""


def test_from_toml_reads_shared_keys_and_the_environment_table(tmp_path: Path) -> None:
    settings = ClientSettings.from_toml(_write(tmp_path, TOML))
    assert settings.environment is Environment.NTJP_TEST
    assert settings.base_url == "https://ntjp-test.example.invalid"
    assert settings.logical_address == "SE2321000016-TEST"
    assert settings.p12 == tmp_path / "certs" / "function.p12"
    assert settings.ca == Path("/etc/inkorg/ca.pem")
    assert settings.password_env == "INKORG_P12_PASSWORD"  # noqa: S105  (a variable name)
    assert (settings.connect_timeout, settings.read_timeout) == (3.0, 40.0)
    assert settings.retry.max_attempts == 5
    assert settings.retry.backoff_base == 0.25
    assert settings.retry.backoff_cap == 8.0
    assert settings.pool_size == 4
    assert settings.rate_limit == 1.0
    assert settings.validate_requests is True
    assert settings.validate_responses is False


def test_from_toml_environment_argument_and_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, TOML)
    prod = ClientSettings.from_toml(path, environment=Environment.NTJP_PROD, pool_size=2)
    assert prod.environment is Environment.NTJP_PROD
    assert prod.base_url == "https://ntjp-prod.example.invalid"
    assert prod.logical_address == "SE2321000016-PROD"
    assert (prod.connect_timeout, prod.read_timeout) == (3.0, 45.0)
    assert prod.pool_size == 2  # the override wins over the environment table
    with pytest.raises(ConfigurationError, match=r"logical_address: required"):
        ClientSettings.from_toml(path, environment="ntjp-qa", base_url=BASE)


def test_from_toml_simulator_needs_only_the_url(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    settings = ClientSettings.from_toml(path, base_url="https://127.0.0.1:9999")
    assert settings.environment is Environment.SIMULATOR
    assert settings.logical_address == DEFAULT_LOGICAL_ADDRESS


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('base_url = "https://h"\npassword = "hunter2"', "password"),
        ('base_url = "https://h"\n[simulator]\npassword = "hunter2"', "simulator.password"),
        ('base_url = "https://h"\npool_sise = 3', "pool_sise"),
        ('base_url = "https://h"\n[timeouts]\nconect = 3', "timeouts.conect"),
        ('base_url = "https://h"\n[timeouts]\nread = "slow"', "timeouts.read"),
        ('base_url = "https://h"\n[retry]\nmax_attempts = 2.5', "retry.max_attempts"),
        ('base_url = "https://h"\ntimeouts = 3', "timeouts"),
        ('base_url = "https://h"\np12 = 12', "p12"),
        ('base_url = "https://h"\nenvironment = "staging"', "environment"),
        ('pool_size = 3', "base_url"),
        ('base_url = "https://h"\nsimulator = 3', "simulator"),
    ],
)
def test_from_toml_bad_config_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as info:
        ClientSettings.from_toml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert "hunter2" not in message


def test_from_toml_unreadable_or_invalid_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"cannot read the settings file"):
        ClientSettings.from_toml(tmp_path / "missing.toml")
    with pytest.raises(ConfigurationError, match=r"not valid TOML"):
        ClientSettings.from_toml(_write(tmp_path, "base_url = "))


# ---------------------------------------------------------------------- the environment


def test_the_environment_is_ignored_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "INKORG_BASE_URL": "https://from-env.example.invalid",
        "INKORG_LOGICAL_ADDRESS": "SE-FROM-ENV",
        "INKORG_ENVIRONMENT": "ntjp-prod",
        "INKORG_POOL_SIZE": "99",
        "INKORG_READ_TIMEOUT": "99",
        "REQUESTS_CA_BUNDLE": "/nowhere/ca.pem",
    }.items():
        monkeypatch.setenv(name, value)
    in_code = ClientSettings(base_url=BASE)
    from_file = ClientSettings.from_toml(_write(tmp_path, f'base_url = "{BASE}"'))
    for settings in (in_code, from_file):
        assert settings.base_url == BASE
        assert settings.environment is Environment.SIMULATOR
        assert settings.logical_address == DEFAULT_LOGICAL_ADDRESS
        assert settings.pool_size == 10
        assert settings.read_timeout == 35.0
        assert settings.ca is None


def test_from_env_reads_the_prefixed_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INKORG_ENVIRONMENT", "ntjp-qa")
    monkeypatch.setenv("INKORG_BASE_URL", "https://qa.example.invalid")
    monkeypatch.setenv("INKORG_LOGICAL_ADDRESS", "SE2321000016-QA")
    monkeypatch.setenv("INKORG_P12", "/secrets/function.p12")
    monkeypatch.setenv("INKORG_PASSWORD", "from-env")
    monkeypatch.setenv("INKORG_READ_TIMEOUT", "41")
    monkeypatch.setenv("INKORG_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("INKORG_VALIDATE_RESPONSES", "false")
    settings = ClientSettings.from_env()
    assert settings.environment is Environment.NTJP_QA
    assert settings.base_url == "https://qa.example.invalid"
    assert settings.p12 == Path("/secrets/function.p12")
    assert settings.password_env == "INKORG_PASSWORD"  # noqa: S105  (a variable name)
    assert settings.read_password() == b"from-env"
    assert settings.read_timeout == 41.0
    assert settings.retry.max_attempts == 4
    assert settings.validate_responses is False
    assert "from-env" not in repr(settings)


def test_from_env_with_a_mapping_and_bad_values() -> None:
    env = {"APP_BASE_URL": BASE, "APP_POOL_SIZE": "many"}
    with pytest.raises(ConfigurationError, match=r"^APP_POOL_SIZE: expected a whole number"):
        ClientSettings.from_env("APP_", environ=env)
    env = {"APP_BASE_URL": BASE, "APP_VALIDATE_REQUESTS": "perhaps"}
    with pytest.raises(ConfigurationError, match=r"^APP_VALIDATE_REQUESTS: expected true"):
        ClientSettings.from_env("APP_", environ=env)
    settings = ClientSettings.from_env("APP_", environ={"APP_BASE_URL": BASE}, pool_size=3)
    assert settings.pool_size == 3
    with pytest.raises(ConfigurationError, match=r"^base_url: required"):
        ClientSettings.from_env("APP_", environ={})
