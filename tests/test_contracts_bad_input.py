"""Loading bad contract packages: clear errors, partial loads with a problem list, no network,
no entity expansion."""

from __future__ import annotations

import http.server
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import rivpackages as rp

from inkorg_riv import ContractLoadError, ContractProblem, load_package
from inkorg_riv.validation import PatternPolicy, Validator
from inkorg_riv.validation.schema import SchemaSet

GOOD = rp.GET_CARE_DOCUMENTATION
GOOD_KEY = f"{GOOD.domain}:{GOOD.name}Interaction:{GOOD.major}"


def _problems_of(problems: tuple[ContractProblem, ...], file: str) -> list[str]:
    return [p.cause for p in problems if p.file == file]


# --------------------------------------------------------------------------- not a package


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "ServiceContracts_crm_scheduling_1.1.zip"
    with pytest.raises(ContractLoadError, match="no such file or folder") as info:
        load_package(missing)
    assert str(missing) in str(info.value)


def test_zip_that_is_not_a_contract_package(tmp_path: Path) -> None:
    archive = tmp_path / "ServiceContracts_crm_scheduling_1.1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "This zip holds no schemas.\n")
    with pytest.raises(ContractLoadError, match="not a contract package") as info:
        load_package(archive)
    assert info.value.problems
    assert str(archive) in str(info.value)


def test_file_that_is_not_a_zip(tmp_path: Path) -> None:
    not_zip = tmp_path / "contracts.zip"
    not_zip.write_text("just some text, not a zip archive\n", encoding="utf-8")
    with pytest.raises(ContractLoadError, match="not a zip file"):
        load_package(not_zip)


def test_folder_without_wsdl(tmp_path: Path) -> None:
    rp.write_folder(rp.core_files(), tmp_path)
    with pytest.raises(ContractLoadError, match="no WSDL"):
        load_package(tmp_path)


def test_zip_entries_that_climb_out_of_the_package_are_ignored(tmp_path: Path) -> None:
    archive = rp.write_zip(rp.multi_domain_files([GOOD]), tmp_path / "c.zip", top_folder="c")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("../../evil/EvilInteraction_1.0_RIVTABP21.wsdl", "<broken")
        zf.writestr("c/schemas/../../../../outside.xsd", "<broken")
    package = load_package(archive, strict=True)
    assert set(package.interactions) == {GOOD_KEY}
    assert not any("evil" in path.lower() or "outside" in path for path in package.source.files)


# --------------------------------------------------------------------------- broken interactions


def _broken_package_files(*, with_good: bool = True) -> dict[str, str]:
    files = rp.multi_domain_files([GOOD] if with_good else [])
    files.update(rp.broken_files())
    return files


@pytest.fixture(params=["folder", "zip"])
def broken_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    files = _broken_package_files()
    if request.param == "folder":
        return rp.write_folder(files, tmp_path / "broken")
    name = rp.zip_name("clinicalprocess:healthcond", "1.0")
    return rp.write_zip(files, tmp_path / name, top_folder=name.removesuffix(".zip"))


def test_broken_interactions_are_left_out_and_reported(broken_location: Path) -> None:
    package = load_package(broken_location)
    assert set(package.interactions) == {GOOD_KEY}
    assert [op.name for op in package.operations] == ["GetCareDocumentation"]
    problems = package.problems

    missing = _problems_of(problems, rp.MISSING_IMPORT.responder_path)
    assert any(
        "clinicalprocess_healthcond_referral_1.0.xsd" in cause and "not in the package" in cause
        for cause in missing
    ), missing

    mismatch = _problems_of(problems, rp.NAMESPACE_MISMATCH.wsdl_path)
    assert any(
        rp.NAMESPACE_MISMATCH.responder_ns in cause
        and rp.NAMESPACE_MISMATCH.responder_ns[:-1] + "2" in cause
        for cause in mismatch
    ), mismatch

    bad_xsd = _problems_of(problems, rp.BROKEN_XSD.responder_path)
    assert any("malformed XML" in cause for cause in bad_xsd), bad_xsd

    bad_wsdl = _problems_of(problems, rp.BROKEN_WSDL.wsdl_path)
    assert any("malformed XML" in cause for cause in bad_wsdl), bad_wsdl

    # The interactions that depend on a broken schema say so, naming it.
    for contract in (rp.MISSING_IMPORT, rp.BROKEN_XSD):
        causes = _problems_of(problems, contract.wsdl_path)
        assert any("left out" in c and contract.responder_path in c for c in causes), causes

    # Nothing is reported against the good interaction's files.
    good_files = {GOOD.wsdl_path, GOOD.responder_path, *rp.core_files()}
    assert not [p for p in problems if p.file in good_files]
    assert len(problems) == len(set(problems))


def test_strict_loading_raises_with_every_problem(broken_location: Path) -> None:
    lenient = load_package(broken_location)
    with pytest.raises(ContractLoadError, match="broken package") as info:
        load_package(broken_location, strict=True)
    assert info.value.problems == lenient.problems
    text = str(info.value)
    for contract in (rp.MISSING_IMPORT, rp.BROKEN_XSD):
        assert contract.responder_path in text
    for contract in (rp.NAMESPACE_MISMATCH, rp.BROKEN_WSDL):
        assert contract.wsdl_path in text


def test_all_interactions_broken_raises(tmp_path: Path) -> None:
    folder = rp.write_folder(_broken_package_files(with_good=False), tmp_path)
    with pytest.raises(ContractLoadError, match="no interaction could be loaded") as info:
        load_package(folder)
    files = {p.file for p in info.value.problems}
    assert {
        rp.MISSING_IMPORT.responder_path,
        rp.NAMESPACE_MISMATCH.wsdl_path,
        rp.BROKEN_XSD.responder_path,
        rp.BROKEN_WSDL.wsdl_path,
    } <= files


@pytest.mark.parametrize("policy", list(PatternPolicy))
def test_validator_works_on_the_good_part_of_a_broken_package(
    broken_location: Path, policy: PatternPolicy
) -> None:
    # The broken responder schema carries a ^...$ pattern: the pattern policy must skip it.
    validator = Validator(load_package(broken_location), patterns=policy)
    document = (
        f'<GetCareDocumentation xmlns="{GOOD.responder_ns}">'
        "<patientId>191212121212</patientId><careContactId>c1</careContactId>"
        "</GetCareDocumentation>"
    ).encode()
    assert validator.is_valid(document) is (policy is PatternPolicy.ANCHORS)


# --------------------------------------------------------------------------- hostile content


def _bomb_package(tmp_path: Path, xsd: str | bytes) -> Path:
    files: dict[str, str | bytes] = dict(rp.multi_domain_files([GOOD]))
    files[rp.BILLION_LAUGHS.wsdl_path] = rp.wsdl(rp.BILLION_LAUGHS)
    files[rp.BILLION_LAUGHS.responder_path] = xsd
    return rp.write_folder(files, tmp_path / "bomb")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_schema_is_reported_not_expanded(tmp_path: Path, encoding: str) -> None:
    text = rp.billion_laughs_xsd()
    if encoding == "utf-16":
        # The DOCTYPE is then not visible as ASCII bytes: the parser-level guard must hold.
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    folder = _bomb_package(tmp_path, text.encode(encoding))
    started = time.perf_counter()
    package = load_package(folder)
    elapsed = time.perf_counter() - started
    assert elapsed < 5
    assert set(package.interactions) == {GOOD_KEY}
    causes = _problems_of(package.problems, rp.BILLION_LAUGHS.responder_path)
    assert causes, package.problems
    assert any("DOCTYPE" in c or "entity" in c.lower() for c in causes), causes
    assert not any("lol" * 10 in c for c in causes)
    with pytest.raises(ContractLoadError):
        load_package(folder, strict=True)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = rp.SCHEDULING_CORE_XSD.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: no stderr noise
        del format, args


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that would serve a schema and counts every request."""
    hits: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_http_schema_location_is_never_fetched(
    tmp_path: Path, schema_server: tuple[str, list[str]]
) -> None:
    base, hits = schema_server
    url = f"{base}/core_components/clinicalprocess_logistics_logistics_3.0.xsd"
    files = dict(rp.multi_domain_files([GOOD]))
    files[rp.REMOTE_IMPORT.wsdl_path] = rp.wsdl(rp.REMOTE_IMPORT)
    files[rp.REMOTE_IMPORT.responder_path] = rp.remote_import_xsd(url)
    # The same trap inside a WSDL's inline schema, pointing at a non-loopback host.
    remote_wsdl = rp.wsdl(rp.GET_BOOKING_DETAILS_2).replace(
        'schemaLocation="GetBookingDetailsResponder_2.0.xsd"',
        'schemaLocation="https://rivta.example.invalid/GetBookingDetailsResponder_2.0.xsd"',
    )
    files[rp.GET_BOOKING_DETAILS_2.wsdl_path] = remote_wsdl
    files[rp.GET_BOOKING_DETAILS_2.responder_path] = rp.responder_xsd(rp.GET_BOOKING_DETAILS_2)
    folder = rp.write_folder(files, tmp_path / "remote")

    package = load_package(folder)
    causes = _problems_of(package.problems, rp.REMOTE_IMPORT.responder_path)
    assert any(url in c and "outside the package" in c for c in causes), causes
    wsdl_causes = _problems_of(package.problems, rp.GET_BOOKING_DETAILS_2.wsdl_path)
    assert any("rivta.example.invalid" in c for c in wsdl_causes), wsdl_causes
    assert set(package.interactions) == {GOOD_KEY}
    # Compiling the good schemas for validation fetches nothing either.
    assert Validator(package).is_valid(
        f'<GetCareDocumentation xmlns="{GOOD.responder_ns}"><patientId>191212121212</patientId>'
        f"<careContactId>c</careContactId></GetCareDocumentation>".encode()
    )
    # Even asked to compile the broken schema directly, libxml2 is served by the package
    # resolver only: the import is refused, nothing is fetched.
    with pytest.raises(ContractLoadError, match="does not compile"):
        SchemaSet(package, PatternPolicy.STRICT).schema_for(rp.REMOTE_IMPORT.responder_path)
    assert hits == []


# --------------------------------------------------------------------------- the socket guard


def test_socket_guard_blocks_non_loopback_addresses() -> None:
    for address in (("192.0.2.1", 80), ("rivta.example.invalid", 443), ("10.0.0.1", 443)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            with pytest.raises(RuntimeError, match="network access blocked"):
                sock.connect(address)
            with pytest.raises(RuntimeError, match="network access blocked"):
                sock.connect_ex(address)


def test_socket_guard_allows_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"ping")
                assert accepted.recv(4) == b"ping"
