"""The built wheel carries the bundled contracts, and an installed wheel loads them.

The wheel is built from the source tree with ``python -m build --wheel`` and installed with
``pip install --no-deps --no-index --target`` into a scratch folder. A fresh interpreter then runs
with ``-S`` (no site-packages, so no editable install of the source tree) and ``-P`` (no script
folder on the path), seeing only that folder and the folder holding the dependencies.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import lxml
import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-isolation")  # the backend is here: no download needed
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=out
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("inkorg_riv-*.whl")
    return built


def test_wheel_contains_the_bundled_contracts_and_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "inkorg_riv/py.typed" in names
    assert "inkorg_riv/__init__.py" in names
    for contract in ("AddMessage", "IsActiveUser", "GetMessageThreadStatus"):
        folder = f"inkorg_riv/_schemas/interactions/{contract}Interaction"
        assert f"{folder}/{contract}Interaction_2.0_RIVTABP21.wsdl" in names
        assert f"{folder}/{contract}Responder_2.0.xsd" in names
    assert "inkorg_riv/_schemas/core_components/patientportal_2.0.xsd" in names
    assert "inkorg_riv/_schemas/core_components/itintegration_registry_1.0.xsd" in names
    # Every schema file of the source tree made it into the wheel.
    for path in (REPO / "schemas").rglob("*"):
        if path.suffix in (".xsd", ".wsdl"):
            rel = path.relative_to(REPO / "schemas").as_posix()
            assert f"inkorg_riv/_schemas/{rel}" in names
    assert not [n for n in names if n.startswith(("tests/", "schemas/"))]


_PROBE = textwrap.dedent(
    """
    import json, sys
    import inkorg_riv
    from inkorg_riv import load_package
    from inkorg_riv.contracts.source import bundled_folder
    from inkorg_riv.validation import is_valid

    package = load_package()
    r = "urn:riv-application:infrastructure:eservicesupply:patientportal:IsActiveUserResponder:2"
    doc = f'<IsActiveUser xmlns="{r}"><subjectOfCareId>191212121212</subjectOfCareId>'
    doc += "</IsActiveUser>"
    print(json.dumps({
        "file": inkorg_riv.__file__,
        "schemas": str(bundled_folder()),
        "operations": [op.name for op in package.operations],
        "problems": [str(p) for p in package.problems],
        "valid": is_valid(doc.encode()),
        "invalid": is_valid(doc.replace("1212</", "1213</").encode()),
        "path": sys.path,
    }))
    """
)


def test_installed_wheel_loads_the_bundled_package(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "installed"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (target / "inkorg_riv" / "py.typed").is_file()

    dependencies = Path(lxml.__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), str(dependencies)])
    run = subprocess.run(
        [sys.executable, "-S", "-P", "-c", _PROBE],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)

    installed = target.resolve()
    assert Path(report["file"]).resolve().is_relative_to(installed)
    schemas = Path(report["schemas"]).resolve()
    assert schemas.is_relative_to(installed)
    assert schemas == installed / "inkorg_riv" / "_schemas"
    assert str(REPO) not in report["path"]
    assert report["operations"] == ["AddMessage", "GetMessageThreadStatus", "IsActiveUser"]
    assert report["problems"] == []
    assert report["valid"] is True
    assert report["invalid"] is False
