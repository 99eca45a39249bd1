"""Every branch of the channel decision, from given IsActiveUser answers (pure).

The same branches with citizens set up in the simulator are in ``test_kallelse_e2e.py``.
"""

from __future__ import annotations

import datetime

import pytest

from inkorg_riv.bindings import patientportal as pp
from inkorg_riv.errors import KallelseError
from inkorg_riv.kallelse import (
    Channel,
    IsActiveUserPaperPreference,
    PaperPreferenceSource,
    RegionPolicy,
    decide_channel,
)
from inkorg_riv.validation.identity import check_digit

SMS = pp.NotificationMethodType.SMS
EMAIL = pp.NotificationMethodType.EMAIL
TODAY = datetime.date(2026, 11, 25)


def number(date: str, serial: str = "123") -> str:
    """A valid 12-digit number for ``YYYYMMDD`` (day + 60 for a samordningsnummer)."""
    return f"{date}{serial}{check_digit(date[2:] + serial)}"


ADULT = "191212121212"
SAMORDNING = number("19121272")
RESERVE = "19121212T123"
CHILD = number("20150310")  # 11 years on TODAY


def active(
    *methods: pp.NotificationMethodType, opt_out: bool | None = True
) -> pp.IsActiveUserResponseType:
    return pp.IsActiveUserResponseType(
        status=True, active_notification_methods=methods, paper_mail_opt_out=opt_out
    )


INACTIVE = pp.IsActiveUserResponseType(status=False, paper_mail_opt_out=False)


@pytest.mark.parametrize(
    ("subject", "kind"), [(SAMORDNING, "samordningsnummer"), (RESERVE, "reserve")]
)
def test_numbers_that_cannot_log_in_get_paper_only(subject: str, kind: str) -> None:
    # Even an answer claiming an active user does not change it: such numbers cannot log in.
    decision = decide_channel(subject, activity=active(SMS), today=TODAY)
    assert decision.channel is Channel.PAPER_ONLY
    assert decision.reasons == (
        f"a {kind} cannot log in to 1177, so a digital message would not be read",
    )
    assert decision.activity is None


def test_numbers_that_cannot_log_in_are_not_even_looked_up() -> None:
    class Refuses:
        def is_active_user(self, subject_of_care_id: str) -> object:
            raise AssertionError(f"looked up {subject_of_care_id[:8]}")

    decision = decide_channel(SAMORDNING, activity=Refuses())  # type: ignore[arg-type]
    assert decision.channel is Channel.PAPER_ONLY


def test_not_an_active_user_gets_paper_only() -> None:
    decision = decide_channel(ADULT, activity=INACTIVE, today=TODAY)
    assert decision.channel is Channel.PAPER_ONLY
    assert "wait 90 days unseen" in decision.reasons[0]
    assert decision.activity is INACTIVE
    assert not decision.channel.digital
    assert decision.channel.paper


def test_active_and_opted_out_gets_digital() -> None:
    decision = decide_channel(ADULT, activity=active(SMS, EMAIL), today=TODAY)
    assert decision.channel is Channel.DIGITAL
    assert decision.reasons == (
        "an active user of 1177 e-tjänster",
        "notified of new messages by SMS, Email",
        "opted out of paper letters",
    )
    assert decision.channel.digital
    assert not decision.channel.paper
    assert not decision.paper_to_guardians
    assert str(decision).startswith("digital: an active user")


def test_active_without_opt_out_gets_digital_and_paper() -> None:
    decision = decide_channel(ADULT, activity=active(SMS, opt_out=False), today=TODAY)
    assert decision.channel is Channel.DIGITAL_AND_PAPER
    assert decision.reasons[-1] == "has not opted out of paper letters"


def test_unknown_opt_out_keeps_paper() -> None:
    decision = decide_channel(ADULT, activity=active(SMS, opt_out=None), today=TODAY)
    assert decision.channel is Channel.DIGITAL_AND_PAPER
    assert "the paper-letter preference is not known" in decision.reasons


def test_no_notification_method_gets_digital_and_paper() -> None:
    decision = decide_channel(ADULT, activity=active(), today=TODAY)
    assert decision.channel is Channel.DIGITAL_AND_PAPER
    assert decision.reasons == (
        "an active user of 1177 e-tjänster",
        "opted out of paper letters",
        "no notification method: the citizen may not notice a digital message",
    )


def test_region_may_trust_the_opt_out_without_notification() -> None:
    policy = RegionPolicy(paper_without_notification=False)
    decision = decide_channel(ADULT, activity=active(), policy=policy, today=TODAY)
    assert decision.channel is Channel.DIGITAL


def test_a_minor_gets_digital_and_paper_to_the_guardians() -> None:
    decision = decide_channel(CHILD, activity=active(SMS), today=TODAY)
    assert decision.channel is Channel.DIGITAL_AND_PAPER
    assert decision.paper_to_guardians
    assert (
        "a minor (11 years, the region's limit is 16): paper to the guardians" in decision.reasons
    )


@pytest.mark.parametrize(
    ("today", "minor"),
    [(datetime.date(2026, 11, 24), True), (datetime.date(2026, 11, 25), False)],
)
def test_the_age_limit_counts_whole_years(today: datetime.date, minor: bool) -> None:
    sixteen = number("20101125")  # 16 on 2026-11-25
    decision = decide_channel(sixteen, activity=active(SMS), today=today)
    assert decision.paper_to_guardians is minor
    assert decision.channel is (Channel.DIGITAL_AND_PAPER if minor else Channel.DIGITAL)


def test_region_sets_or_turns_off_the_age_limit() -> None:
    off = decide_channel(CHILD, activity=active(SMS), policy=RegionPolicy(minor_age_limit=None))
    assert off.channel is Channel.DIGITAL
    low = RegionPolicy(minor_age_limit=10)
    assert decide_channel(CHILD, activity=active(SMS), policy=low, today=TODAY).channel is (
        Channel.DIGITAL
    )


def test_interpreter_need_gets_digital_and_paper() -> None:
    decision = decide_channel(ADULT, activity=active(SMS), needs_interpreter=True, today=TODAY)
    assert decision.channel is Channel.DIGITAL_AND_PAPER
    assert "needs an interpreter: the region sends paper as well" in decision.reasons
    policy = RegionPolicy(interpreter_gets_paper=False)
    same = decide_channel(ADULT, activity=active(SMS), needs_interpreter=True, policy=policy)
    assert same.channel is Channel.DIGITAL


def test_a_pu_tjansten_source_replaces_the_default() -> None:
    class PuTjanstenPreference:
        """What a PU-tjänsten lookup looks like to the decision: one method."""

        def __init__(self, opted_out: set[str]) -> None:
            self.opted_out = opted_out

        def paper_mail_opt_out(
            self, subject_of_care_id: str, activity: pp.IsActiveUserResponseType
        ) -> bool | None:
            del activity  # PU-tjänsten is the source of truth here
            return subject_of_care_id in self.opted_out

    source = PuTjanstenPreference({ADULT})
    assert isinstance(source, PaperPreferenceSource)
    # IsActiveUser says "not opted out"; the PU source says "opted out" and wins.
    answer = active(SMS, opt_out=False)
    decision = decide_channel(ADULT, activity=answer, paper_source=source, today=TODAY)
    assert decision.channel is Channel.DIGITAL
    assert decide_channel(ADULT, activity=answer, today=TODAY).channel is (
        Channel.DIGITAL_AND_PAPER
    )


def test_default_source_reads_the_is_active_user_field() -> None:
    source = IsActiveUserPaperPreference()
    assert source.paper_mail_opt_out(ADULT, active(opt_out=True)) is True
    assert source.paper_mail_opt_out(ADULT, active(opt_out=None)) is None


def test_invalid_identity_number_is_refused() -> None:
    with pytest.raises(KallelseError, match=r"^subject_of_care_id: ") as info:
        decide_channel("191212121213", activity=INACTIVE)
    assert "191212121213" not in str(info.value)


@pytest.mark.parametrize("limit", [0, 19])
def test_region_policy_refuses_a_nonsense_age_limit(limit: int) -> None:
    with pytest.raises(KallelseError, match=r"^minor_age_limit: "):
        RegionPolicy(minor_age_limit=limit)
