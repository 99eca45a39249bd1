"""The client for 1177 Inkorg over NTjP (layer L5).

Owns the public surface of the client: :class:`InkorgClient` (typed calls for the bundled
patientportal contracts plus :meth:`InkorgClient.call` for any loaded package) and
:class:`CallResult`. Inside: ``_client`` (the public class), ``_call`` (the path of a call),
``_setup`` (certificate and environment checks), ``_retry`` (when a resend is safe; the rate
limiter), ``_observe`` (log lines and body masking), ``_result`` (the result object).

>>> from inkorg_riv import ClientSettings, InkorgClient
>>> settings = ClientSettings(base_url=url, p12=p12, password=pw, ca=ca)  # doctest: +SKIP
>>> with InkorgClient(settings) as client:  # doctest: +SKIP
...     client.is_active_user("191212121212").response.status
"""

from ._client import InkorgClient
from ._result import CallResult

__all__ = ["CallResult", "InkorgClient"]
