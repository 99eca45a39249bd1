"""The client: typed calls for the bundled contracts and a generic call for any package (layer L5).

Owns :class:`InkorgClient`: building the TLS identity and transport from
:class:`~inkorg_riv.settings.ClientSettings` (through :mod:`._setup`), the lifecycle, the typed
methods and :meth:`InkorgClient.call`, and the idempotency key of AddMessage. Every method
hands its request to :class:`._call.Caller`, which runs the attempts.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import Any, TypeVar, overload

from lxml import etree

from .. import codec
from ..bindings import patientportal as pp
from ..bindings._runtime import XmlObject
from ..contracts import ContractPackage, Operation, bundled_package
from ..errors import BindingError, ConfigurationError
from ..settings import ClientSettings
from ..tls import ClientIdentity
from ..transport import ClosesOnExit, RequestsTransport, Transport
from ..validation import Validator, default_validator
from ._call import Caller
from ._result import CallResult
from ._setup import check_environment, load_identity, ssl_context

T = TypeVar("T", bound=XmlObject)


class InkorgClient(ClosesOnExit):
    """Calls 1177 Inkorg through NTjP (or the simulator) over mutual TLS.

    >>> with InkorgClient(settings) as client:  # doctest: +SKIP
    ...     result = client.is_active_user("191212121212")
    ...     result.response.status

    ``transport`` replaces the mutual-TLS transport built from the settings (tests pass a
    :class:`~inkorg_riv.transport.MockTransport`; a transport you pass stays yours to close).
    ``package`` is a loaded contract package (default: the bundled reconstruction) and
    ``bindings_module`` its generated bindings, used by :meth:`call` to decode responses.

    **Thread-safe**: one client serves any number of threads at once -- settings are frozen,
    the validator and the transport's connection pool are thread-safe, and the rate limiter
    is locked. Make one client per configuration and share it; size ``pool_size`` to the
    number of concurrent calls.
    """

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: Transport | None = None,
        package: ContractPackage | None = None,
        bindings_module: ModuleType | None = None,
    ) -> None:
        if not isinstance(settings, ClientSettings):
            raise ConfigurationError("settings: expected a ClientSettings")
        self.settings = settings
        self.package = package if package is not None else bundled_package()
        if bindings_module is None and package is None:
            bindings_module = pp
        self._elements: Mapping[str, type[XmlObject]] = (
            getattr(bindings_module, "ELEMENTS", {}) if bindings_module is not None else {}
        )
        validator = default_validator() if package is None else Validator(self.package)
        self._lock = threading.Lock()
        self.identity: ClientIdentity | None = None
        if transport is None:
            self.identity = load_identity(settings)
            context = ssl_context(settings, self.identity)
            transport = RequestsTransport(context, pool_size=settings.pool_size)
            self._owns_transport = True
        else:
            self._owns_transport = False
        self.consumer_hsa_id = self.identity.info.hsa_id if self.identity else None
        """The HSA-id of the client certificate (the consumer the platform sees), if loaded."""
        self._caller = Caller(settings, transport, validator, consumer=self.consumer_hsa_id)
        check_environment(settings, self.identity)

    # ------------------------------------------------------------------ lifecycle

    @property
    def transport(self) -> Transport:
        """The transport in use (its ``stats`` show connections opened)."""
        return self._caller.transport

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (calls then raise ConfigurationError)."""
        return self._caller.closed

    def close(self) -> None:
        """Close the connections (of a transport this client made). Idempotent."""
        with self._lock:
            if self._caller.closed:
                return
            self._caller.closed = True
        if self._owns_transport:
            self._caller.transport.close()

    # ------------------------------------------------------------------ typed calls

    def add_message(
        self,
        request: pp.AddMessageType,
        *,
        idempotency_key: str | None = None,
        logical_address: str | None = None,
    ) -> CallResult[pp.AddMessageResponseType]:
        """Place a message in the citizen's inbox (AddMessage).

        AddMessage is not idempotent: after an unknown outcome (timeout, reset, VP009) it is
        resent only when you give ``idempotency_key``. The key becomes ``message.messageId``
        when the request has none (a different existing ``messageId`` is refused with
        ConfigurationError); the resend is flagged in :attr:`CallResult.ambiguous`, and a
        producer that already has the message answers with
        :class:`~inkorg_riv.errors.DuplicateMessageError`: delivered, do not send again.
        Check :attr:`CallResult.info_text` -- INFO means done, with a text to show or log.
        """
        op = self.package.operation("AddMessage")

        def build() -> etree._Element | bytes:
            keyed = request if idempotency_key is None else _with_message_id(
                request, idempotency_key
            )
            return codec.encode_bytes(keyed, element=op.request_element)

        return self._caller.run(
            op,
            build,
            decode=lambda el: codec.decode(el, pp.AddMessageResponseType),
            logical_address=logical_address,
            resend_unknown=idempotency_key is not None,
            read_only=False,
            message_id=idempotency_key or request.message.message_id,
        )

    def is_active_user(
        self, subject_of_care_id: str, *, logical_address: str | None = None
    ) -> CallResult[pp.IsActiveUserResponseType]:
        """Whether the citizen uses 1177's e-services, how they can be notified, and whether
        they declined paper letters (IsActiveUser; read-only, resent after unknown outcomes)."""
        op = self.package.operation("IsActiveUser")
        return self._caller.run(
            op,
            lambda: codec.encode_bytes(
                pp.IsActiveUserType(subject_of_care_id=subject_of_care_id),
                element=op.request_element,
            ),
            decode=lambda el: codec.decode(el, pp.IsActiveUserResponseType),
            logical_address=logical_address,
            resend_unknown=True,
            read_only=True,
        )

    def get_message_thread_status(
        self,
        subject_of_care_id: str,
        message_thread_id: str,
        organisation_unit_id: str | None = None,
        *,
        logical_address: str | None = None,
    ) -> CallResult[pp.GetMessageThreadStatusResponseType]:
        """Sent and read status of each message in a thread (GetMessageThreadStatus;
        read-only, resent after unknown outcomes)."""
        op = self.package.operation("GetMessageThreadStatus")

        def build() -> etree._Element | bytes:
            request = pp.GetMessageThreadStatusType(
                subject_of_care_id=subject_of_care_id,
                message_thread_id=message_thread_id,
                organisation_unit_id=organisation_unit_id,
            )
            return codec.encode_bytes(request, element=op.request_element)

        return self._caller.run(
            op,
            build,
            decode=lambda el: codec.decode(el, pp.GetMessageThreadStatusResponseType),
            logical_address=logical_address,
            resend_unknown=True,
            read_only=True,
        )

    # ------------------------------------------------------------------ generic call

    @overload
    def call(
        self,
        operation: str | Operation,
        request: XmlObject | etree._Element,
        *,
        response_type: type[T],
        logical_address: str | None = None,
        correlation_id: str | None = None,
        read_only: bool | None = None,
    ) -> CallResult[T]: ...

    @overload
    def call(
        self,
        operation: str | Operation,
        request: XmlObject | etree._Element,
        *,
        response_type: None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        read_only: bool | None = None,
    ) -> CallResult[Any]: ...

    def call(
        self,
        operation: str | Operation,
        request: XmlObject | etree._Element,
        *,
        response_type: type[T] | None = None,
        logical_address: str | None = None,
        correlation_id: str | None = None,
        read_only: bool | None = None,
    ) -> CallResult[Any]:
        """Call any operation of the loaded package with a binding object or a request element.

        The response is decoded into ``response_type``, else into the class the bindings
        module declares for the response element, else returned as the lxml element.
        ``read_only`` (default: the operation is in ``settings.read_only_operations``) allows
        resending after an unknown outcome. Raises what the typed methods raise.
        """
        op = operation if isinstance(operation, Operation) else self.package.operation(operation)
        if read_only is None:
            read_only = op.name in self.settings.read_only_operations
        cls: type[XmlObject] | None = response_type or self._elements.get(op.response_element)

        def build() -> etree._Element | bytes:
            if isinstance(request, XmlObject):
                return codec.encode_bytes(request, element=op.request_element)
            if isinstance(request, etree._Element):
                return request
            raise BindingError(
                f"expected a binding object or an lxml element, got {type(request).__name__}",
                path=op.name,
                operation=op.name,
            )

        def decode(element: etree._Element) -> Any:
            return element if cls is None else codec.decode(element, cls)

        return self._caller.run(
            op,
            build,
            decode=decode,
            logical_address=logical_address,
            correlation_id=correlation_id,
            resend_unknown=read_only,
            read_only=read_only,
            message_id=_message_id_of(request) if op.name == "AddMessage" else None,
        )

# ---------------------------------------------------------------------- helpers


def _with_message_id(request: pp.AddMessageType, key: str) -> pp.AddMessageType:
    if not isinstance(key, str) or not key.strip() or key != key.strip():
        raise ConfigurationError("idempotency_key: must be a non-empty string without spaces")
    current = request.message.message_id
    if current is None:
        message = dataclasses.replace(request.message, message_id=key)
        return dataclasses.replace(request, message=message)
    if current != key:
        raise ConfigurationError(
            f"idempotency_key: {key!r} differs from the request's message.messageId "
            f"{current!r}; the key is the messageId -- pass the same value or leave messageId "
            "empty"
        )
    return request


def _message_id_of(request: XmlObject | etree._Element) -> str | None:
    if isinstance(request, etree._Element):
        found = request.find(".//{*}message/{*}messageId")
        return found.text if found is not None else None
    message = getattr(request, "message", None)
    value = getattr(message, "message_id", None)
    return value if isinstance(value, str) else None


__all__ = ["InkorgClient"]
