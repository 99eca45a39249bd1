"""``build_request`` with a payload already serialized (what the client sends): the same envelope
as with the element, and the same refusal of a payload that is not the operation's request."""

from __future__ import annotations

import pytest
from lxml import etree

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.codec import encode, encode_bytes
from inkorg_riv.contracts import bundled_package
from inkorg_riv.envelope import build_request
from inkorg_riv.errors import BindingError

OP = bundled_package().operation("IsActiveUser")
REQUEST = pp.IsActiveUserType(subject_of_care_id="191212121212")


def _c14n(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n", exclusive=True)


def test_bytes_and_element_give_the_same_envelope() -> None:
    from_bytes = build_request(OP, encode_bytes(REQUEST), logical_address="LA", correlation_id="c")
    from_element = build_request(OP, encode(REQUEST), logical_address="LA", correlation_id="c")
    assert _c14n(from_bytes.body) == _c14n(from_element.body)
    assert from_bytes.http_headers == from_element.http_headers
    assert from_bytes.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_a_serialized_payload_of_another_operation_is_refused() -> None:
    other = pp.GetMessageThreadStatusType(subject_of_care_id="191212121212", message_thread_id="t")
    with pytest.raises(BindingError, match=r"GetMessageThreadStatus.*IsActiveUser sends"):
        build_request(OP, encode_bytes(other), logical_address="LA")


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not xml",
        b'<?xml version="1.0"?><a/>',
        b"<unclosed",
        b"<ns0:IsActiveUser xmlns:ns0='urn:wrong'>",
        b"<IsActiveUser/>",
    ],
)
def test_bytes_that_are_not_the_request_element_are_refused(payload: bytes) -> None:
    with pytest.raises(BindingError) as info:
        build_request(OP, payload, logical_address="LA")
    assert info.value.operation == "IsActiveUser"


def test_the_namespace_is_read_from_single_quotes_after_other_attributes() -> None:
    namespace, local = OP.request_element[1:].split("}")
    child = "<p:subjectOfCareId>x</p:subjectOfCareId>"
    payload = f"<p:{local} a='1' xmlns:p='{namespace}'>{child}</p:{local}>"
    soap = build_request(OP, payload.encode(), logical_address="LA")
    assert etree.fromstring(soap.body).find(".//{*}Body")[0].tag == OP.request_element
