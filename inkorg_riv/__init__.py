"""inkorg-riv: send digital appointment letters and messages into 1177 Inkorg over NTjP.

The public surface is listed in ``__all__``; everything else is internal.
"""

from .client import CallResult, InkorgClient
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
from .settings import ClientSettings, Environment, RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "BindingError",
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
