"""InkorgClient round trips over mutual TLS against zeep + requests and raw http.client (issue 5).

Run with ``make bench`` (after ``benchmarks/run.py``) or ``.venv/bin/python benchmarks/client.py``;
``--profile`` adds a cProfile of 500 InkorgClient calls (client side), ``--pieces`` times the pieces
of one call separately (codec, validation, envelope, transport layers). The servers always run in
a SEPARATE process, so that their CPU is not counted as the client's:

* the *plain loopback TLS server* (this script with ``--serve plain``): a stdlib threaded HTTPS
  server that requires a client certificate from the test CA, reads each request and answers a
  prebuilt AddMessageResponse envelope (resultCode OK) at once -- it isolates the client's cost;
* the *simulator* (``--serve simulator``): the real simulated platform with 50 ms latency
  injected on AddMessage and a citizen with an account, for the concurrency case.

Measured, on the message of ``benchmarks/run.py`` (the same values: AddMessage with every field
set and a 2,000-character Swedish body), keep-alive everywhere, certificates from a throwaway
test PKI, the request object (or zeep's arguments, or the raw body) made once:

1. sequential validated AddMessage round trips: InkorgClient (request and response validation
   on, the defaults) vs zeep (bundled WSDL; a ``requests.Session`` with ``verify`` = the test CA
   and the client certificate through an adapter's SSLContext, as ``session.cert`` cannot take
   a password-protected key; the service bound to the server's URL with ``create_service``; the
   LogicalAddress SOAP header) vs a raw ``http.client.HTTPSConnection`` POST of a prebuilt body
   on one connection. zeep runs twice: with requests' default ``trust_env`` (the target) and
   without (information). Paired rounds, the order rotating each round; a ratio is the median
   over rounds of the per-round ratios;
2. client CPU per call (``time.process_time`` of this process) in the same rounds;
3. new TLS handshakes at steady state (``transport.stats.connections_opened`` over 500 calls);
4. 16 threads sharing one client (``pool_size=16``) vs one thread, both against 50 ms injected
   latency: throughput ratio, median over rounds, connections opened beforehand;
5. peak memory for sending 10,000 messages, ours vs zeep, each in a fresh subprocess:
   ``tracemalloc`` peak after 1,000 and after 10,000 calls (started after 50 warm-up calls),
   and the growth of ``ru_maxrss`` over the same calls.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import http.client
import json
import os
import pstats
import resource
import secrets
import socket
import socketserver
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import urllib3
import zeep
import zeep.transports
from _message import CITIZEN, LOGICAL_ADDRESS, ZEEP_ARGS, message
from requests.adapters import HTTPAdapter

from inkorg_riv import ClientSettings, Environment, InkorgClient, codec
from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_request, parse_response
from inkorg_riv.simulator import InjectionRule, Simulator, SimulatorConfig, make_test_pki
from inkorg_riv.simulator.certs import existing_pki
from inkorg_riv.simulator.server import server_context
from inkorg_riv.transport import HttpRequest, HttpResponse, RequestsTransport, Timeouts
from inkorg_riv.validation import default_validator

ROOT = Path(__file__).resolve().parent.parent
WSDL = ROOT / "schemas/interactions/AddMessageInteraction/AddMessageInteraction_2.0_RIVTABP21.wsdl"
BINDING = (
    "{urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessage:2:rivtabp21}"
    "AddMessageResponderBinding"
)
PATH = "/vp/infrastructure/eservicesupply/patientportal/AddMessage/2/rivtabp21"
PASSWORD_VARIABLE = "INKORG_BENCH_PASSWORD"  # noqa: S105  (a variable's name, not a password)
LATENCY_MS = 50
THREADS = 16

RESPONSE_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/>'
    b"<soapenv:Body><r:AddMessageResponse "
    b'xmlns:r="urn:riv-application:infrastructure:eservicesupply:patientportal:AddMessageResponder:2">'
    b"<r:messageThreadId>episode-4711</r:messageThreadId><r:messageId>kallelse-1</r:messageId>"
    b"<r:notificationSent>SMS</r:notificationSent><r:notificationSent>Email</r:notificationSent>"
    b"<r:resultCode>OK</r:resultCode></r:AddMessageResponse></soapenv:Body></soapenv:Envelope>"
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=UTF-8\r\n"
    b"Content-Length: " + str(len(RESPONSE_BODY)).encode() + b"\r\n\r\n" + RESPONSE_BODY
)
"""The plain server's whole answer, status line to last byte, written at once."""


# --------------------------------------------------------------------------- the message


# --------------------------------------------------------------------------- servers


class _PlainHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.wfile.write(RESPONSE)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""


class _PlainServer(ThreadingHTTPServer):
    """Threaded HTTPS that requires a client certificate; the handshake in each connection's
    own thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        super().__init__(("127.0.0.1", 0), _PlainHandler)

    def server_bind(self) -> None:  # no reverse DNS lookup of the host name
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def finish_request(self, request: Any, client_address: Any) -> None:
        with contextlib.suppress(ssl.SSLError, OSError):
            tls = self.context.wrap_socket(request, server_side=True)
            _PlainHandler(tls, client_address, self)


def serve(kind: str, pki_dir: Path) -> None:
    """Child process: serve until stdin closes; the port goes to stdout first."""
    pki = existing_pki(pki_dir, password=os.environ[PASSWORD_VARIABLE].encode())
    if kind == "plain":
        server = _PlainServer(server_context(pki.server_tls()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(server.server_address[1], flush=True)
        sys.stdin.read()
        server.shutdown()
        return
    config = SimulatorConfig.default(
        consumer_hsa_id=pki.consumer().hsa_id or "",
        injections=(InjectionRule.latency(LATENCY_MS, contract="AddMessage"),),
    )
    with Simulator(config, pki.server_tls()) as sim:
        sim.store.add_citizen(CITIZEN, notification_methods=("SMS", "Email"))
        print(sim.port, flush=True)
        sys.stdin.read()


@dataclasses.dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu(self) -> float:
        """CPU seconds the server process has used so far (Linux; 0.0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server_process(kind: str, pki_dir: Path, password: bytes) -> Iterator[Server]:
    """Start ``--serve kind`` in a child process; yield its port; stop it on exit."""
    env = {**os.environ, PASSWORD_VARIABLE: password.decode()}
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--pki", str(pki_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"the {kind} server did not start")
        yield Server(int(line), child.pid)
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait()


# --------------------------------------------------------------------------- clients


class _ContextAdapter(HTTPAdapter):
    """requests with an SSLContext (what integrators do for a password-protected key;
    ``session.cert`` takes unencrypted key files only)."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)


def client_context(pki_dir: Path, password: bytes) -> ssl.SSLContext:
    """A context that trusts the test CA and presents the consumer certificate (for zeep and
    http.client; InkorgClient builds its own from the settings)."""
    context = ssl.create_default_context(cafile=str(pki_dir / "ca.pem"))
    context.load_cert_chain(
        str(pki_dir / "consumer.pem"), str(pki_dir / "consumer-key.pem"), password
    )
    return context


def make_ours(port: int, pki_dir: Path, password: bytes, pool_size: int = 10) -> InkorgClient:
    """InkorgClient as the README configures it (validation of requests and responses on)."""
    settings = ClientSettings(
        environment=Environment.SIMULATOR,
        base_url=f"https://127.0.0.1:{port}",
        logical_address=LOGICAL_ADDRESS,
        p12=pki_dir / "consumer.p12",
        password=lambda: password,
        ca=pki_dir / "ca.pem",
        pool_size=pool_size,
    )
    return InkorgClient(settings)


def make_zeep(
    port: int, pki_dir: Path, password: bytes, *, trust_env: bool = True
) -> tuple[Any, requests.Session]:
    """zeep on the bundled WSDL over a requests session with the client certificate and CA,
    the service bound to the server's URL. ``trust_env`` is requests' default (True)."""
    session = requests.Session()
    session.trust_env = trust_env
    session.verify = str(pki_dir / "ca.pem")
    session.mount("https://", _ContextAdapter(client_context(pki_dir, password)))
    client = zeep.Client(wsdl=str(WSDL), transport=zeep.transports.Transport(session=session))
    return client.create_service(BINDING, f"https://127.0.0.1:{port}{PATH}"), session


class Contenders:
    """The three ways of sending the same AddMessage, each with its own keep-alive connection."""

    NAMES = ("ours", "zeep", "zeep-noenv", "raw")

    def __init__(self, port: int, pki_dir: Path, password: bytes) -> None:
        self.ours = make_ours(port, pki_dir, password)
        self.zeep, self._session = make_zeep(port, pki_dir, password)
        self.zeep_noenv, self._session_noenv = make_zeep(port, pki_dir, password, trust_env=False)
        op = bundled_package().operation("AddMessage")
        soap = build_request(
            op,
            codec.encode(message(), element=op.request_element),
            logical_address=LOGICAL_ADDRESS,
        )
        self.raw_body = soap.body
        self.raw_headers = dict(soap.http_headers)
        self.raw = http.client.HTTPSConnection(
            "127.0.0.1", port, context=client_context(pki_dir, password), timeout=35
        )
        self.raw.connect()
        self.raw.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(self, name: str) -> Callable[[], object]:
        """One round trip of ``name`` (the request object, arguments or body made once)."""
        if name == "ours":
            request = message()
            return lambda: self.ours.add_message(request)
        if name in ("zeep", "zeep-noenv"):
            service = self.zeep if name == "zeep" else self.zeep_noenv
            return lambda: service.AddMessage(**ZEEP_ARGS)

        def raw() -> bytes:
            self.raw.request("POST", PATH, body=self.raw_body, headers=self.raw_headers)
            answer = self.raw.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"raw POST: HTTP {answer.status}")
            return body

        return raw

    def close(self) -> None:
        self.ours.close()
        self._session.close()
        self._session_noenv.close()
        self.raw.close()


# --------------------------------------------------------------------------- measurements


def sequential(contenders: Contenders, *, batches: dict[str, int], rounds: int) -> dict[str, Any]:
    """Paired rounds (the order rotating each round); wall and CPU per call of each."""
    calls = {name: contenders.call(name) for name in batches}
    for name, call in calls.items():
        for _ in range(max(10, batches[name] // 4)):
            call()
    names = list(batches)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, batch = calls[name], batches[name]
            w0, c0 = time.perf_counter(), time.process_time()
            for _ in range(batch):
                call()
            w1, c1 = time.perf_counter(), time.process_time()
            wall[name].append((w1 - w0) / batch)
            cpu[name].append((c1 - c0) / batch)

    def ratio(kind: dict[str, list[float]], top: str, bottom: str) -> float:
        return statistics.median(a / b for a, b in zip(kind[top], kind[bottom], strict=True))

    return {
        "speed_vs_zeep": ratio(wall, "zeep", "ours"),
        "speed_vs_zeep_noenv": ratio(wall, "zeep-noenv", "ours"),
        "speed_vs_raw": ratio(wall, "raw", "ours"),
        "cpu_vs_zeep": ratio(cpu, "ours", "zeep"),
        "cpu_vs_zeep_noenv": ratio(cpu, "ours", "zeep-noenv"),
        "wall_us": {n: statistics.median(v) * 1e6 for n, v in wall.items()},
        "cpu_us": {n: statistics.median(v) * 1e6 for n, v in cpu.items()},
    }


def handshakes(client: InkorgClient, calls: int) -> tuple[int, int]:
    """Connections opened during ``calls`` calls at steady state, and answers counted."""
    request = message()
    client.add_message(request)
    before = client.transport.stats
    for _ in range(calls):
        client.add_message(request)
    after = client.transport.stats
    return after.connections_opened - before.connections_opened, after.responses - before.responses


def concurrency(
    server: Server,
    pki_dir: Path,
    password: bytes,
    *,
    per_thread: int,
    one_by_one: int,
    rounds: int,
) -> dict[str, float]:
    """THREADS threads sharing one client vs one thread, against the injected latency; every
    call a new messageId (the simulator refuses a known one) and must answer OK."""
    numbers = iter(range(10**9))
    lock = threading.Lock()
    template = message()

    def send(client: InkorgClient) -> None:
        with lock:
            n = next(numbers)
        request = dataclasses.replace(
            template, message=dataclasses.replace(template.message, message_id=f"bench-{n}")
        )
        result = client.add_message(request)
        if result.result is None or result.result.code.value != "OK":
            raise RuntimeError(f"the simulator answered {result.result}")

    def threaded(client: InkorgClient, count: int) -> float:
        def work() -> None:
            for _ in range(count):
                send(client)

        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return THREADS * count / (time.perf_counter() - started)

    def single(client: InkorgClient, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            send(client)
        return count / (time.perf_counter() - started)

    with make_ours(server.port, pki_dir, password, pool_size=THREADS) as client:
        threaded(client, 2)  # opens the connections: steady state from here
        opened = client.transport.stats.connections_opened
        seq: list[float] = []
        par: list[float] = []
        server_cpu = client_cpu = 0.0
        calls = 0
        single_cpu = 0.0
        for _ in range(rounds):
            c0 = time.process_time()
            seq.append(single(client, one_by_one))
            single_cpu += time.process_time() - c0
            s0, c0 = server.cpu(), time.process_time()
            par.append(threaded(client, per_thread))
            server_cpu += server.cpu() - s0
            client_cpu += time.process_time() - c0
            calls += THREADS * per_thread
        extra = client.transport.stats.connections_opened - opened
    return {
        "ratio": statistics.median(p / s for p, s in zip(par, seq, strict=True)),
        "sequential_per_s": statistics.median(seq),
        "concurrent_per_s": statistics.median(par),
        "connections": opened,
        "connections_extra": extra,
        "server_cpu_ms": server_cpu / calls * 1e3,
        "client_cpu_ms": client_cpu / calls * 1e3,
        "single_cpu_ms": single_cpu / (rounds * one_by_one) * 1e3,
    }


def memory_child(which: str, port: int, pki_dir: Path, total: int, first: int) -> None:
    """Child process: memory while sending ``total`` messages; prints JSON."""
    password = os.environ[PASSWORD_VARIABLE].encode()
    call: Callable[[], object]
    if which == "ours":
        client = make_ours(port, pki_dir, password)
        request = message()

        def call() -> object:
            return client.add_message(request)
    else:
        service, _session = make_zeep(port, pki_dir, password)

        def call() -> object:
            return service.AddMessage(**ZEEP_ARGS)

    for _ in range(50):
        call()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    for _ in range(first):
        call()
    peak_first = tracemalloc.get_traced_memory()[1]
    rss_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(total - first):
        call()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "peak_first": peak_first,
                "peak": peak,
                "current": current,
                "rss_first_kib": rss_first - rss0,
                "rss_kib": rss - rss0,
            }
        )
    )


def memory(
    which: str, server: Server, pki_dir: Path, password: bytes, total: int
) -> dict[str, int]:
    """Run :func:`memory_child` in a fresh interpreter."""
    env = {**os.environ, PASSWORD_VARIABLE: password.decode()}
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory",
            which,
            "--port",
            str(server.port),
            "--pki",
            str(pki_dir),
            "--messages",
            str(total),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, int] = json.loads(done.stdout)
    return result


def pieces(contenders: Contenders, port: int, pki_dir: Path, password: bytes) -> None:
    """One call taken apart: each piece timed alone, interleaved rounds, medians (CPU and wall).

    Uses one private attribute of the transport (its requests adapter) to time requests +
    urllib3 without our wrapper; the request for it is prepared once, outside the timing."""
    ours = contenders.ours
    op = bundled_package().operation("AddMessage")
    validator = default_validator()
    request = message()
    payload = codec.encode_bytes(request, element=op.request_element)
    soap = build_request(op, payload, logical_address=LOGICAL_ADDRESS)
    url = ours.settings.endpoint(
        domain=op.domain, contract=op.contract, major=op.major, profile=op.profile.value
    )
    http_request = HttpRequest(url=url, body=soap.body, headers=soap.http_headers)
    transport = ours.transport
    assert isinstance(transport, RequestsTransport)
    timeouts = Timeouts()
    canned = transport.send(http_request, timeouts=timeouts)
    mocked = InkorgClient(ours.settings, transport=_Canned(canned))
    parsed = parse_response(
        op, status=200, content_type="text/xml; charset=UTF-8", body=canned.body
    )
    adapter = transport._adapter  # private: requests + urllib3 without our wrapper
    prepared = requests.Request(
        "POST", url, data=soap.body, headers={"User-Agent": "inkorg-riv", **soap.http_headers}
    ).prepare()
    pool = urllib3.HTTPSConnectionPool(
        "127.0.0.1", port, ssl_context=client_context(pki_dir, password), maxsize=1
    )
    headers = dict(soap.http_headers)

    def requests_adapter() -> bytes:
        answer = adapter.send(
            prepared, stream=True, timeout=(5, 35), verify=True, cert=None, proxies={}
        )
        body = b"".join(answer.raw.stream(65536, decode_content=True))
        answer.close()
        return body

    def urllib3_pool() -> bytes:
        return pool.urlopen("POST", PATH, body=soap.body, headers=headers, retries=False).data

    steps: dict[str, Callable[[], object]] = {
        "InkorgClient.add_message over TLS": lambda: ours.add_message(request),
        "the same with a canned answer (no network)": lambda: mocked.add_message(request),
        "  codec.encode_bytes": lambda: codec.encode_bytes(request, element=op.request_element),
        "  validate request bytes, XSD and rules": lambda: validator.validate(payload, op),
        "  validate request bytes, XSD only": lambda: validator.validate(payload, op, rules=False),
        "  build_request": lambda: build_request(op, payload, logical_address=LOGICAL_ADDRESS),
        "  parse_response": lambda: parse_response(
            op, status=200, content_type="text/xml; charset=UTF-8", body=canned.body
        ),
        "  validate response, XSD": lambda: validator.validate(parsed.payload, op, rules=False),
        "  codec.decode": lambda: codec.decode(parsed.payload, pp.AddMessageResponseType),
        "RequestsTransport.send": lambda: transport.send(http_request, timeouts=timeouts),
        "  requests adapter.send + body stream": requests_adapter,
        "  urllib3 HTTPSConnectionPool.urlopen": urllib3_pool,
        "  http.client POST, one connection": contenders.call("raw"),
    }
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        for _ in range(30):
            step()
    for _ in range(11):
        for name, step in steps.items():
            w0, c0 = time.perf_counter(), time.process_time()
            for _ in range(300):
                step()
            wall[name].append((time.perf_counter() - w0) / 300 * 1e6)
            cpu[name].append((time.process_time() - c0) / 300 * 1e6)
    pool.close()
    print("\nOne call taken apart (each piece alone; medians of 11 rounds of 300 calls):")
    for name in steps:
        print(
            f"  {name:<46} CPU {statistics.median(cpu[name]):6.0f} µs   wall "
            f"{statistics.median(wall[name]):6.0f} µs"
        )
    print()


class _Canned:
    """A transport that answers every request with one recorded answer."""

    def __init__(self, answer: HttpResponse) -> None:
        self._answer = answer

    def send(self, request: HttpRequest, *, timeouts: Timeouts) -> HttpResponse:  # noqa: ARG002
        return self._answer

    def close(self) -> None:
        """Nothing to close."""


def profile(client: InkorgClient, calls: int = 500) -> None:
    """cProfile of ``calls`` InkorgClient calls, client side (the server is another process)."""
    request = message()
    client.add_message(request)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        client.add_message(request)
    profiler.disable()
    print(f"\ncProfile of {calls} InkorgClient.add_message calls (client process):")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)


# --------------------------------------------------------------------------- main


def row(label: str, value: str, detail: str, ok: bool | None) -> None:
    verdict = "information" if ok is None else ("met" if ok else "MISSED")
    print(f"{label}\n    {value:<20} {detail}   {verdict}")


def main(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    print(__doc__.strip().splitlines()[0])
    print(
        f"python {sys.version.split()[0]}, zeep {zeep.__version__}, requests "
        f"{requests.__version__}, {os.cpu_count()} CPUs; servers in separate processes; "
        f"{args.rounds} paired rounds, {args.messages:,} messages for memory\n"
    )
    password = secrets.token_urlsafe(18).encode("ascii")
    batches = {"ours": 100, "zeep": 40, "zeep-noenv": 40, "raw": 200}
    with tempfile.TemporaryDirectory(prefix="inkorg-bench-") as folder:
        pki_dir = Path(folder)
        make_test_pki(pki_dir, password=password)
        with server_process("plain", pki_dir, password) as server:
            contenders = Contenders(server.port, pki_dir, password)
            try:
                seq = sequential(contenders, batches=batches, rounds=args.rounds)
                opened, answered = handshakes(contenders.ours, 500)
                if args.pieces:
                    pieces(contenders, server.port, pki_dir, password)
                if args.profile:
                    profile(contenders.ours)
            finally:
                contenders.close()
            mem = {
                which: memory(which, server, pki_dir, password, args.messages)
                for which in ("ours", "zeep")
            }
        with server_process("simulator", pki_dir, password) as server:
            conc = concurrency(
                server,
                pki_dir,
                password,
                per_thread=8,
                one_by_one=THREADS,
                rounds=args.latency_rounds,
            )
    report(args, seq, (opened, answered), conc, mem)
    print(f"\n{time.perf_counter() - began:.0f} s in all")


def report(
    args: argparse.Namespace,
    seq: dict[str, Any],
    steady: tuple[int, int],
    conc: dict[str, float],
    mem: dict[str, dict[str, int]],
) -> None:
    wall, cpu = seq["wall_us"], seq["cpu_us"]

    def per_s(name: str) -> str:
        return f"{wall[name]:5.0f} µs ({1e6 / wall[name]:4.0f}/s)"

    row(
        "(1) sequential AddMessage round trips vs zeep + requests: calls/s ratio (target >= 3)",
        f"ratio {seq['speed_vs_zeep']:5.2f}",
        f"ours {per_s('ours')}   zeep {per_s('zeep')}",
        seq["speed_vs_zeep"] >= 3,
    )
    row(
        "    the same vs zeep with session.trust_env = False (no proxy/CA lookups per call)",
        f"ratio {seq['speed_vs_zeep_noenv']:5.2f}",
        f"zeep {per_s('zeep-noenv')}",
        None,
    )
    row(
        "(1) vs a raw http.client POST of a prebuilt body, one connection: calls/s ratio "
        "(target >= 0.6)",
        f"ratio {seq['speed_vs_raw']:5.2f}",
        f"ours {per_s('ours')}   raw {per_s('raw')}",
        seq["speed_vs_raw"] >= 0.6,
    )
    row(
        "(2) client CPU per call, ours / zeep (target <= 0.5)",
        f"ratio {seq['cpu_vs_zeep']:5.2f}",
        f"ours {cpu['ours']:5.0f} µs   zeep {cpu['zeep']:5.0f} µs   zeep without env "
        f"{cpu['zeep-noenv']:5.0f} µs (ratio {seq['cpu_vs_zeep_noenv']:.2f})   raw "
        f"{cpu['raw']:4.0f} µs",
        seq["cpu_vs_zeep"] <= 0.5,
    )
    opened, answered = steady
    row(
        "(3) new TLS handshakes at steady state over 500 calls (target 0)",
        f"opened {opened}",
        f"{answered} answers counted by the transport",
        opened == 0,
    )
    row(
        f"(4) {THREADS} threads (pool_size {THREADS}) vs 1 thread against {LATENCY_MS} ms injected "
        "latency: calls/s ratio (target >= 12)",
        f"ratio {conc['ratio']:5.2f}",
        f"{conc['concurrent_per_s']:5.1f}/s vs {conc['sequential_per_s']:4.1f}/s; "
        f"{conc['connections']:.0f} connections (+{conc['connections_extra']:.0f} while measured);"
        f" CPU per call: client {conc['client_cpu_ms']:.2f} ms ({conc['single_cpu_ms']:.2f} ms "
        f"with 1 thread), simulator {conc['server_cpu_ms']:.2f} ms",
        conc["ratio"] >= 12,
    )
    ours, theirs = mem["ours"], mem["zeep"]
    first, total = args.messages // 10, args.messages
    row(
        f"(5) peak memory (tracemalloc) sending {total:,} messages, ours / zeep (target <= 1)",
        f"ratio {ours['peak'] / theirs['peak']:5.2f}",
        f"ours {ours['peak'] / 1024:5.0f} KiB   zeep {theirs['peak'] / 1024:5.0f} KiB   "
        f"ru_maxrss growth: ours {ours['rss_kib']} KiB, zeep {theirs['rss_kib']} KiB",
        ours["peak"] <= theirs["peak"],
    )
    row(
        f"(5) ours flat from {first:,} to {total:,} messages (peak grows < 10 % + 16 KiB)",
        f"{ours['peak_first'] / 1024:.0f} -> {ours['peak'] / 1024:.0f} KiB",
        f"ru_maxrss growth {ours['rss_first_kib']} -> {ours['rss_kib']} KiB   (zeep "
        f"{theirs['peak_first'] / 1024:.0f} -> {theirs['peak'] / 1024:.0f} KiB, "
        f"ru_maxrss {theirs['rss_first_kib']} -> {theirs['rss_kib']} KiB)",
        ours["peak"] <= ours["peak_first"] * 1.1 + 16 * 1024,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="paired rounds (default 15)")
    parser.add_argument(
        "--latency-rounds", type=int, default=5, help="rounds of the latency case (default 5)"
    )
    parser.add_argument(
        "--messages", type=int, default=10_000, help="messages for the memory case (10,000)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile 500 InkorgClient calls")
    parser.add_argument(
        "--pieces", action="store_true", help="time the pieces of one call separately"
    )
    parser.add_argument("--serve", choices=("plain", "simulator"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=("ours", "zeep"), help=argparse.SUPPRESS)
    parser.add_argument("--pki", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.serve:
        serve(arguments.serve, arguments.pki)
    elif arguments.memory:
        memory_child(
            arguments.memory,
            arguments.port,
            arguments.pki,
            arguments.messages,
            arguments.messages // 10,
        )
    else:
        main(arguments)
