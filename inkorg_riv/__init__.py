"""inkorg-riv: send digital appointment letters and messages into 1177 Inkorg over NTjP.

The public surface is listed in ``__all__``; everything else is internal.
"""

from .contracts import ContractPackage, Operation, bundled_package, load_package
from .errors import (
    BindingError,
    CertificateError,
    ConfigurationError,
    ContractError,
    ContractLoadError,
    ContractProblem,
    InkorgError,
    LocalError,
    Outcome,
    ServiceError,
    TransportError,
    UnknownOperationError,
    ValidationError,
    ValidationIssue,
    XmlInputError,
)

__version__ = "0.1.0"

__all__ = [
    "BindingError",
    "CertificateError",
    "ConfigurationError",
    "ContractError",
    "ContractLoadError",
    "ContractPackage",
    "ContractProblem",
    "InkorgError",
    "LocalError",
    "Operation",
    "Outcome",
    "ServiceError",
    "TransportError",
    "UnknownOperationError",
    "ValidationError",
    "ValidationIssue",
    "XmlInputError",
    "__version__",
    "bundled_package",
    "load_package",
]
