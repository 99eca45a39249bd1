"""inkorg-riv against zeep on the same bundled WSDL and the same message (``make bench``).

Each comparison runs in one process, round-robin: a round times a batch of ours and a batch
of theirs back to back; the printed ratio is the median over rounds of (theirs / ours), so a
ratio of 8.0 means "8 times faster than the other". Cold start is measured in fresh
subprocesses, alternating the two.

The message: AddMessage with every field set and a 2,000-character Swedish body.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import xmlschema
import zeep
from _message import LOGICAL_ADDRESS, ZEEP_ARGS
from _message import message as full_message
from lxml import etree

from inkorg_riv import codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.contracts import load_package
from inkorg_riv.envelope import build_request, parse_response
from inkorg_riv.validation import Validator

ROOT = Path(__file__).resolve().parent.parent
WSDL = ROOT / "schemas/interactions/AddMessageInteraction/AddMessageInteraction_2.0_RIVTABP21.wsdl"
XSD = ROOT / "schemas/interactions/AddMessageInteraction/AddMessageResponder_2.0.xsd"

OURS_COLD = """
import time; t = time.perf_counter()
from inkorg_riv.contracts import load_package
from inkorg_riv.validation import Validator
from inkorg_riv import codec, envelope
from inkorg_riv.bindings import patientportal
package = load_package(); validator = Validator(package)
validator._schemas.schema_for(package.operation("AddMessage").schema_file)
print(time.perf_counter() - t)
"""
ZEEP_COLD = f"""
import time; t = time.perf_counter()
import zeep
client = zeep.Client(wsdl={str(WSDL)!r})
print(time.perf_counter() - t)
"""


def paired(
    ours: Callable[[], Any], theirs: Callable[[], Any], *, batch: int, rounds: int
) -> tuple[float, float, float]:
    """Median ratio theirs/ours, and the median per-call times (µs) of each."""
    ours()
    theirs()
    ratios: list[float] = []
    ours_t: list[float] = []
    theirs_t: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            ours()
        mid = time.perf_counter()
        for _ in range(batch):
            theirs()
        end = time.perf_counter()
        ratios.append((end - mid) / (mid - start))
        ours_t.append((mid - start) / batch * 1e6)
        theirs_t.append((end - mid) / batch * 1e6)
    return statistics.median(ratios), statistics.median(ours_t), statistics.median(theirs_t)


def cold_start(rounds: int = 7) -> tuple[float, float, float]:
    # Both sides start from compiled bytecode, as an installed wheel does (pip compiles it).
    # With PYTHONDONTWRITEBYTECODE set (as on the CI image), an editable install would
    # recompile our sources in every fresh process while zeep's .pyc files already exist.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(code: str) -> float:
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
        )
        return float(done.stdout)

    run(OURS_COLD)  # writes any missing .pyc; not counted
    run(ZEEP_COLD)
    ratios: list[float] = []
    ours_t: list[float] = []
    theirs_t: list[float] = []
    for _ in range(rounds):
        a = run(OURS_COLD)
        b = run(ZEEP_COLD)
        ratios.append(a / b)
        ours_t.append(a * 1e3)
        theirs_t.append(b * 1e3)
    return statistics.median(ratios), statistics.median(ours_t), statistics.median(theirs_t)


def main() -> None:

    package = load_package()
    op = package.operation("AddMessage")
    validator = Validator(package)
    client = zeep.Client(wsdl=str(WSDL))

    def ours_build() -> bytes:
        # What InkorgClient.add_message does before sending: write the request, validate it
        # (XSD and every default rule; the bytes are parsed once for that), wrap it.
        message = full_message()
        payload = codec.encode_bytes(message)
        validator.validate(payload, op)
        return build_request(op, payload, logical_address=LOGICAL_ADDRESS).body

    zeep_args = ZEEP_ARGS

    def zeep_build() -> bytes:
        node = client.create_message(client.service, "AddMessage", **zeep_args)
        return etree.tostring(node)

    body = ours_build()
    # The request payload as its own document (as the client validates it), for both validators.
    document = etree.fromstring(etree.tostring(etree.fromstring(body).find(".//{*}Body")[0]))
    xs = xmlschema.XMLSchema(str(XSD))
    assert xs.is_valid(document), "xmlschema must agree the document is valid"

    response = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/>'
        "<soapenv:Body><r:AddMessageResponse "
        'xmlns:r="urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2" '
        'xmlns:c="urn:riv-application:infrastructure:eservicesupply:patientportal:2">'
        "<r:messageThreadId>episode-4711</r:messageThreadId><r:messageId>kallelse-1</r:messageId>"
        "<r:notificationSent>SMS</r:notificationSent><r:notificationSent>Email</r:notificationSent>"
        "<r:resultCode>INFO</r:resultCode><r:resultText>Invånaren har inget konto; meddelandet sparas i 90 dagar.</r:resultText>"
        "</r:AddMessageResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()

    def ours_parse() -> object:
        parsed = parse_response(
            op, status=200, content_type="text/xml; charset=UTF-8", body=response
        )
        return codec.decode(parsed.payload, pp.AddMessageResponseType)

    binding = client.service._binding
    zeep_op = binding.get("AddMessage")

    def zeep_parse() -> object:
        reply = requests.Response()
        reply._content = response
        reply.status_code = 200
        reply.headers["Content-Type"] = "text/xml; charset=UTF-8"
        reply.encoding = "utf-8"
        return binding.process_reply(client, zeep_op, reply)

    print(__doc__.strip().splitlines()[0])
    print(
        f"python {sys.version.split()[0]}, zeep {zeep.__version__}, xmlschema {xmlschema.__version__}\n"
    )
    rows = [
        ("cold start to ready (ours/zeep, target <= 0.5)", cold_start(), "ms", True),
        (
            "build+validate+serialize vs zeep create_message (target >= 8)",
            paired(ours_build, zeep_build, batch=50, rounds=21),
            "µs",
            False,
        ),
        (
            "XSD validation vs xmlschema, same document (target >= 50)",
            paired(
                lambda: validator.validate(document, op, rules=False),
                lambda: xs.validate(document),
                batch=50,
                rounds=21,
            ),
            "µs",
            False,
        ),
        (
            "XSD + rules beyond the XSD vs xmlschema (information only, target >= 1)",
            paired(
                lambda: validator.validate(document, op),
                lambda: xs.validate(document),
                batch=50,
                rounds=21,
            ),
            "µs",
            False,
        ),
        (
            "response parse vs zeep process_reply (target >= 5)",
            paired(ours_parse, zeep_parse, batch=100, rounds=21),
            "µs",
            False,
        ),
    ]
    for label, (ratio, ours_t, theirs_t), unit, lower in rows:
        ok = ratio <= 0.5 if lower else ratio >= float(label.rsplit(" ", 1)[-1].rstrip(")"))
        print(
            f"{label}\n    ratio {ratio:6.2f}   ours {ours_t:9.1f} {unit}   other {theirs_t:9.1f} {unit}   {'met' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
