"""The one exception tree of inkorg-riv.

Everything the library raises on purpose derives from :class:`InkorgError`. Three families
tell a caller how to react:

* :class:`LocalError` -- nothing left this process: contract loading, invalid XML, validation,
  configuration and certificate problems. Fix the input or the setup and try again.
* :class:`TransportError` -- TLS, connect, timeout and HTTP problems between us and the platform.
* :class:`ServiceError` -- the platform or the producer answered and refused: SOAP faults,
  VP codes, ``resultCode`` ERROR.

Every error carries :attr:`InkorgError.outcome`, one of :class:`Outcome`, so that "not sent",
"sent and refused" and "outcome unknown" can always be told apart. This package is stdlib only
(layer L0); each family lives in its own module.
"""

from ._base import InkorgError, Outcome
from ._local import (
    BindingError,
    CertificateError,
    ConfigurationError,
    ContractError,
    ContractLoadError,
    ContractProblem,
    KallelseError,
    LocalError,
    UnknownOperationError,
    ValidationError,
    ValidationIssue,
    XmlInputError,
)
from ._service import (
    DuplicateMessageError,
    PlatformFaultError,
    ResultCodeError,
    ServiceError,
    SoapFaultError,
)
from ._transport import (
    ConnectError,
    ConnectionLostError,
    ConnectProblem,
    ConnectTimeoutError,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseKind,
    ResponseTooLargeError,
    TlsError,
    TlsProblem,
    TransportError,
    UnexpectedResponseError,
    response_snippet,
)

__all__ = [
    "BindingError",
    "CertificateError",
    "ConfigurationError",
    "ConnectError",
    "ConnectProblem",
    "ConnectTimeoutError",
    "ConnectionLostError",
    "ContractError",
    "ContractLoadError",
    "ContractProblem",
    "DuplicateMessageError",
    "InkorgError",
    "KallelseError",
    "LocalError",
    "Outcome",
    "PlatformFaultError",
    "PoolTimeoutError",
    "ReadTimeoutError",
    "ResponseKind",
    "ResponseTooLargeError",
    "ResultCodeError",
    "ServiceError",
    "SoapFaultError",
    "TlsError",
    "TlsProblem",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownOperationError",
    "ValidationError",
    "ValidationIssue",
    "XmlInputError",
    "response_snippet",
]
