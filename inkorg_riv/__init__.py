"""inkorg-riv: send digital appointment letters and messages into 1177 Inkorg over NTjP.

The public surface is listed in ``__all__``; everything else is internal. The client, its
settings and the body checker are imported on first use, so that ``import inkorg_riv`` (and the
contract and validation layers) start without loading requests and cryptography.
"""

from typing import TYPE_CHECKING, Any

from .contracts import ContractPackage, Operation, bundled_package, load_package
from .errors import (
    BindingError,
    CertificateError,
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    ConnectTimeoutError,
    ContractError,
    ContractLoadError,
    ContractProblem,
    DuplicateMessageError,
    InkorgError,
    KallelseError,
    LocalError,
    Outcome,
    PlatformFaultError,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseTooLargeError,
    ResultCodeError,
    ServiceError,
    SoapFaultError,
    TlsError,
    TransportError,
    UnexpectedResponseError,
    UnknownOperationError,
    ValidationError,
    ValidationIssue,
    XmlInputError,
)

if TYPE_CHECKING:
    from .client import CallResult, InkorgClient
    from .settings import ClientSettings, Environment, RetryPolicy
    from .validation.docbook import BodyError

__version__ = "0.1.0"

_LAZY = {
    "CallResult": "client",
    "InkorgClient": "client",
    "ClientSettings": "settings",
    "Environment": "settings",
    "RetryPolicy": "settings",
    "BodyError": "validation.docbook",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'inkorg_riv' has no attribute {name!r}")
    import importlib  # noqa: PLC0415  (first use of a lazily loaded name)

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

__all__ = [
    "BindingError",
    "BodyError",
    "CallResult",
    "CertificateError",
    "ClientSettings",
    "ConfigurationError",
    "ConnectError",
    "ConnectTimeoutError",
    "ConnectionLostError",
    "ContractError",
    "ContractLoadError",
    "ContractPackage",
    "ContractProblem",
    "DuplicateMessageError",
    "Environment",
    "InkorgClient",
    "InkorgError",
    "KallelseError",
    "LocalError",
    "Operation",
    "Outcome",
    "PlatformFaultError",
    "PoolTimeoutError",
    "ReadTimeoutError",
    "ResponseTooLargeError",
    "ResultCodeError",
    "RetryPolicy",
    "ServiceError",
    "SoapFaultError",
    "TlsError",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownOperationError",
    "ValidationError",
    "ValidationIssue",
    "XmlInputError",
    "__version__",
    "bundled_package",
    "load_package",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
