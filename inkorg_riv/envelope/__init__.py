"""The SOAP 1.1 envelope of RIV-TA Basic Profile 2.1 (and 2.0) calls (layer L3, pure).

Owns building the request envelope and its HTTP headers (:func:`build_request`), parsing an
answer into the response payload or the right error (:func:`parse_response`,
:func:`check_result_code`), and writing fault envelopes for the simulator and tests
(:func:`build_fault_response`, :func:`build_vp_fault_response`). No HTTP library is imported:
the transport hands over status, Content-Type and body bytes.
"""

from .build import (
    ACTING_ON_BEHALF_OF_HEADER,
    CONTENT_TYPE,
    CORRELATION_HEADER,
    LOGICAL_ADDRESS,
    ORIGINAL_CONSUMER_HEADER,
    WSA_TO,
    SoapRequest,
    build_request,
    build_response,
    routing_header,
)
from .fault import FaultInfo, build_fault_response, build_vp_fault_response, read_fault
from .parse import ParsedResponse, ResultCode, ResultInfo, check_result_code, parse_response

__all__ = [
    "ACTING_ON_BEHALF_OF_HEADER",
    "CONTENT_TYPE",
    "CORRELATION_HEADER",
    "LOGICAL_ADDRESS",
    "ORIGINAL_CONSUMER_HEADER",
    "WSA_TO",
    "FaultInfo",
    "ParsedResponse",
    "ResultCode",
    "ResultInfo",
    "SoapRequest",
    "build_fault_response",
    "build_request",
    "build_response",
    "build_vp_fault_response",
    "check_result_code",
    "parse_response",
    "read_fault",
    "routing_header",
]
