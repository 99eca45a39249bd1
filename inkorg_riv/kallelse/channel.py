"""The channel decision: digital, digital and paper, or paper only -- and why (layer L6).

Owns :func:`decide_channel`, its answer :class:`ChannelDecision`, the region's configurable
rules (:class:`RegionPolicy`) and the replaceable source of the citizen's paper-letter opt-out
(:class:`PaperPreferenceSource`, by default :class:`IsActiveUserPaperPreference`).

The rules, in order (contracts.md sections 3 and 5):

1. A samordningsnummer or reserve number: **paper only**. Such numbers cannot log in to 1177,
   so nobody would read a digital message. IsActiveUser is not even asked.
2. Not an active user of 1177 e-tjänster (IsActiveUser ``status`` false): **paper only**. A
   digital message would wait 90 days unseen and then be dropped.
3. Active, and the region's rules or the citizen's situation call for paper as well:
   **digital and paper**. These are: no notification method (the citizen would not notice the
   message), a minor under the region's age limit (the paper goes to the guardians, because
   guardians lose access to a child's 1177 inbox at 13 while most children cannot log in
   themselves until they have an e-legitimation), an interpreter need, and a paper opt-out that
   is not known.
4. Active, opted out of paper, none of the above: **digital**.
5. Active, not opted out: **digital and paper**.

The opt-out comes from a :class:`PaperPreferenceSource`. The default reads the
``paperMailOptOut`` field of our reconstructed IsActiveUser 2.0; when the region reads it from
PU-tjänsten (GetPersonsForProfile / GetPersonContactInformation) instead, pass an object with
the same one method -- see docs/threads-and-read-status.md.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..bindings import patientportal as pp
from ..errors import KallelseError
from ..validation.identity import IdentityKind, IdentityNumberError, parse_identity_number
from .dates import STOCKHOLM
from .threads import ActiveUserLookup

__all__ = [
    "Channel",
    "ChannelDecision",
    "IsActiveUserPaperPreference",
    "PaperPreferenceSource",
    "RegionPolicy",
    "decide_channel",
]


class Channel(enum.Enum):
    """How to reach the citizen."""

    DIGITAL = "digital"
    """Send to 1177 Inkorg only."""
    DIGITAL_AND_PAPER = "digital and paper"
    """Send to 1177 Inkorg and a paper letter."""
    PAPER_ONLY = "paper only"
    """Send a paper letter only; a digital message would not be read."""

    @property
    def digital(self) -> bool:
        """Whether a message goes to 1177 Inkorg."""
        return self is not Channel.PAPER_ONLY

    @property
    def paper(self) -> bool:
        """Whether a paper letter is sent."""
        return self is not Channel.DIGITAL


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelDecision:
    """The channel and every reason that led to it (in English, for logs and case notes).

    ``paper_to_guardians`` is true when the paper letter is for a minor's guardians.
    ``activity`` is the IsActiveUser answer used (None when it was not needed).
    """

    channel: Channel
    reasons: tuple[str, ...]
    paper_to_guardians: bool = False
    activity: pp.IsActiveUserResponseType | None = None

    def __str__(self) -> str:
        return f"{self.channel.value}: {'; '.join(self.reasons)}"


@runtime_checkable
class PaperPreferenceSource(Protocol):
    """Where the citizen's "no paper letters" choice is read from.

    Return True when the citizen declined paper letters, False when they did not, None when it
    is not known (the decision then keeps paper, to be safe). ``activity`` is the IsActiveUser
    answer already fetched; a source that asks PU-tjänsten ignores it.
    """

    def paper_mail_opt_out(
        self, subject_of_care_id: str, activity: pp.IsActiveUserResponseType
    ) -> bool | None:
        """Whether the citizen opted out of paper letters (None: unknown)."""
        ...


@dataclass(frozen=True, slots=True)
class IsActiveUserPaperPreference:
    """The default source: the ``paperMailOptOut`` field of IsActiveUser (our reconstruction)."""

    def paper_mail_opt_out(
        self, subject_of_care_id: str, activity: pp.IsActiveUserResponseType
    ) -> bool | None:
        """The answer's ``paperMailOptOut`` (None when the producer left it out)."""
        del subject_of_care_id  # the answer is already about this citizen
        return activity.paper_mail_opt_out


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionPolicy:
    """A region's rules for when a digital message also goes on paper.

    * ``minor_age_limit``: citizens younger than this (in whole years, from the birth date in the
      identity number) get digital and paper, the paper to their guardians. None turns it off.
    * ``interpreter_gets_paper``: a citizen who needs an interpreter gets digital and paper.
    * ``paper_without_notification``: a citizen with no notification method (no SMS, no e-mail)
      gets digital and paper even when opted out, since they would not notice the message.
    """

    minor_age_limit: int | None = 16
    interpreter_gets_paper: bool = True
    paper_without_notification: bool = True

    def __post_init__(self) -> None:
        if self.minor_age_limit is not None and not 0 < self.minor_age_limit <= 18:
            raise KallelseError("must be between 1 and 18, or None", field="minor_age_limit")


def _age(birth: datetime.date, today: datetime.date) -> int:
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - int(before_birthday)


def decide_channel(
    subject_of_care_id: str,
    *,
    activity: pp.IsActiveUserResponseType | ActiveUserLookup,
    paper_source: PaperPreferenceSource | None = None,
    policy: RegionPolicy | None = None,
    needs_interpreter: bool = False,
    today: datetime.date | None = None,
) -> ChannelDecision:
    """Decide how to reach the citizen, with the reasons (see the module docstring).

    ``activity`` is an IsActiveUser answer, or a client to ask (only when the identity number
    can use 1177 at all). ``paper_source`` defaults to :class:`IsActiveUserPaperPreference`,
    ``policy`` to :class:`RegionPolicy()`, ``today`` to the date in Sweden. Raises
    :class:`~inkorg_riv.errors.KallelseError` for an invalid identity number.
    """
    try:
        number = parse_identity_number(subject_of_care_id)
    except IdentityNumberError as exc:
        raise KallelseError(str(exc), field="subject_of_care_id") from exc
    if number.kind is not IdentityKind.PERSONNUMMER:
        return ChannelDecision(
            channel=Channel.PAPER_ONLY,
            reasons=(
                f"a {number.kind.value} cannot log in to 1177, so a digital message "
                "would not be read",
            ),
        )
    answer = (
        activity
        if isinstance(activity, pp.IsActiveUserResponseType)
        else activity.is_active_user(subject_of_care_id).response
    )
    if not answer.status:
        return ChannelDecision(
            channel=Channel.PAPER_ONLY,
            reasons=(
                "not an active user of 1177 e-tjänster: a digital message would wait 90 days "
                "unseen and then be dropped",
            ),
            activity=answer,
        )
    policy = policy or RegionPolicy()
    source = paper_source if paper_source is not None else IsActiveUserPaperPreference()
    reasons = ["an active user of 1177 e-tjänster"]
    paper: list[str] = []
    methods = ", ".join(m.value for m in answer.active_notification_methods)
    if methods:
        reasons.append(f"notified of new messages by {methods}")
    elif policy.paper_without_notification:
        paper.append("no notification method: the citizen may not notice a digital message")
    guardians = False
    if policy.minor_age_limit is not None and number.birth_date is not None:
        age = _age(number.birth_date, today or datetime.datetime.now(STOCKHOLM).date())
        if age < policy.minor_age_limit:
            guardians = True
            paper.append(
                f"a minor ({age} years, the region's limit is {policy.minor_age_limit}): "
                "paper to the guardians"
            )
    if needs_interpreter and policy.interpreter_gets_paper:
        paper.append("needs an interpreter: the region sends paper as well")
    opt_out = source.paper_mail_opt_out(subject_of_care_id, answer)
    if opt_out is None:
        paper.append("the paper-letter preference is not known")
    elif opt_out:
        reasons.append("opted out of paper letters")
    else:
        paper.append("has not opted out of paper letters")
    channel = Channel.DIGITAL_AND_PAPER if paper else Channel.DIGITAL
    return ChannelDecision(
        channel=channel,
        reasons=(*reasons, *paper),
        paper_to_guardians=guardians,
        activity=answer,
    )
