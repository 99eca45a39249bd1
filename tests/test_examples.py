"""Every example runs: each ``examples/*.py`` script as a subprocess, exit status 0.

``demo.py`` is left out (``make demo`` has its own test), and so are modules whose name starts
with ``_`` (helpers the scripts import). The examples start their own simulator on 127.0.0.1;
none of them reaches the network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SKIPPED = {"demo.py"}
SCRIPTS = sorted(
    path
    for path in EXAMPLES.glob("*.py")
    if path.name not in SKIPPED and not path.name.startswith("_")
)
TIMEOUT = 60


def test_the_examples_are_there() -> None:
    names = {path.name for path in SCRIPTS}
    kinds = {"timed", "open", "update", "confirmation", "cancellation", "information"}
    kinds |= {"form_link", "reminder", "flow"}
    assert {f"kallelse_{kind}.py" for kind in kinds} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        # Everything is 127.0.0.1: make sure no proxy from the environment is used.
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
