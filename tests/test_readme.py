"""The README's code example runs, against the simulator instead of NTjP TEST.

Only the settings line differs: the example reads ``inkorg.toml``; here the same client is
pointed at the simulator the pytest plugin starts (mutual TLS with its test certificates).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inkorg_riv import ClientSettings
from inkorg_riv.testing import SimulatorFixture

README = Path(__file__).resolve().parent.parent / "README.md"
SETTINGS_CALL = 'ClientSettings.from_toml("inkorg.toml", environment=Environment.NTJP_TEST)'


def readme_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (example,) = [b for b in blocks if "InkorgClient(" in b]
    return example


def test_the_readme_example_sends_a_kallelse(
    inkorg_simulator: SimulatorFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    example = readme_example()
    assert SETTINGS_CALL in example
    password = inkorg_simulator.password
    settings = ClientSettings(
        base_url=inkorg_simulator.url,
        logical_address=inkorg_simulator.logical_address,
        p12=inkorg_simulator.p12,
        password=lambda: password,
        ca=inkorg_simulator.ca_file,
    )
    inkorg_simulator.store.add_citizen("191212121212", notification_methods=("SMS",))
    code = compile(example.replace(SETTINGS_CALL, "SIMULATOR_SETTINGS"), "README.md", "exec")
    exec(code, {"SIMULATOR_SETTINGS": settings})  # noqa: S102  (our own README, our own code)
    (message,) = inkorg_simulator.store.messages("191212121212")
    assert message.description == "Kallelse till hälsokontroll"
    assert message.thread_id
    assert capsys.readouterr().out == ""  # an active user with an account: no INFO to show
