"""The main job, end to end on the embedded default.

Until the client and the simulator land, the demo runs the path every message takes before it
leaves: typed object -> XML -> schema and rule validation -> SOAP envelope, and shows how an
invalid message is reported (every issue, identity numbers redacted).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lxml import etree
from sample_messages import timed_kallelse

from inkorg_riv.codec import encode
from inkorg_riv.contracts import bundled_package
from inkorg_riv.errors import ValidationError
from inkorg_riv.validation import Validator


def main() -> int:
    started = time.perf_counter()
    package = bundled_package()
    validator = Validator(package)
    print(f"contract package: {package.name}")
    for op in package.operations:
        print(f"  {op.name:<24} {op.version}  {op.soap_action}")

    message = timed_kallelse()
    element = encode(message)
    validator.validate(element, "AddMessage")
    size = len(etree.tostring(element, encoding="UTF-8"))
    print(f"\nAddMessage (timed kallelse): valid, {size} bytes of XML")

    broken = etree.fromstring(etree.tostring(element))
    ns = "{urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2}"
    broken.find(f"{ns}subjectOfCareId").text = "191212121213"  # type: ignore[union-attr]
    broken.remove(broken.find(f"{ns}sourceSystem"))  # type: ignore[arg-type]
    try:
        validator.validate(broken, "AddMessage")
    except ValidationError as exc:
        print("\nan invalid AddMessage is refused before sending:")
        for issue in exc.issues:
            print(f"  [{issue.rule}] {issue}")
    print(f"\ndone in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
