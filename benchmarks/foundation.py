"""Foundation timings: load the bundled contract package, and validate one AddMessage.

Run: ``.venv/bin/python benchmarks/foundation.py`` (prints medians of many runs).
Loading is measured in fresh subprocesses (a cold process each time, imports included, and
in-process with imports already done); validation in one process on a compiled schema.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from sample_messages import timed_kallelse

from inkorg_riv.codec import encode
from inkorg_riv.contracts import load_package
from inkorg_riv.validation import Validator

COLD = (
    "import time; t=time.perf_counter(); from inkorg_riv.contracts import load_package; "
    "load_package(); print(time.perf_counter()-t)"
)


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.2f} ms"


def main() -> None:
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(7)
    ]
    warm: list[float] = []
    for _ in range(50):
        started = time.perf_counter()
        load_package()
        warm.append(time.perf_counter() - started)

    validator = Validator(load_package())
    element = encode(
        timed_kallelse(body="<article><para>" + "Välkommen åäö " * 140 + "</para></article>")
    )
    validator.validate(element)  # compile the schema once
    runs: list[float] = []
    for _ in range(2000):
        started = time.perf_counter()
        validator.validate(element)
        runs.append(time.perf_counter() - started)
    print(f"load bundled package, cold process (imports included): {median_ms(cold)}")
    print(f"load bundled package, warm process:                    {median_ms(warm)}")
    print(
        f"validate one AddMessage (XSD + rules), median of 2000: "
        f"{statistics.median(runs) * 1e6:.1f} µs"
    )


if __name__ == "__main__":
    main()
