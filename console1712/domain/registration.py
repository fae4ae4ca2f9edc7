"""The registration of a contact (wrap-up): the code lists a counsellor picks from.

Codes are stable ASCII ids stored in clear text (they are what the yearly statistics
count); their labels live in i18n/registration.py as `reg.<field>.<code>`. Themes come from
the theme taxonomy (domain/themes.py) and referrals from the dossiers' list, so the same
words are used everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CHANNELS = ("chat", "mail", "phone")
# Only "help" and "information" are requests for help ("hulpvragen") in the yearly figures.
KINDS = ("help", "information", "silent", "abusive", "wrong")
REQUESTS = ("help", "information")
ABOUT = ("self", "child", "friend", "partner", "other")
RELATIONS = (
    "parent",
    "step-parent",
    "partner",
    "ex-partner",
    "family",
    "peer",
    "adult",
    "unknown",
)
RISKS = ("none", "worried", "high", "acute")
# What was done about an acute risk (required with risk "acute").
ACTIONS = ("emergency", "disclosure", "supervisor", "none")
# Same codes as store/dossiers.REFERRAL_TARGETS (domain does not import store).
REFERRALS = ("caw", "police", "vk", "jac", "gp", "other")
MAX_THEMES = 5
MAX_NOTE = 2000
NONE = "none"


class RegistrationError(ValueError):
    """A registration that breaks a rule; `field` names the offending field."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Codes:
    """What a counsellor registered about one contact (no free text but the note)."""

    kind: str
    themes: tuple[str, ...] = ()
    about: str | None = None
    relation: str | None = None
    risk: str = "none"
    action: str | None = None
    referrals: tuple[str, ...] = ()
    age_band: str = "unknown"
    gender: str = "unknown"

    @property
    def main_theme(self) -> str | None:
        return self.themes[0] if self.themes else None


def check(
    codes: Codes, themes: Sequence[str], age_bands: Sequence[str], genders: Sequence[str]
) -> None:
    """Raise RegistrationError when the codes break a rule of the form."""
    if codes.kind not in KINDS:
        raise RegistrationError("kind")
    if len(codes.themes) > MAX_THEMES or len(set(codes.themes)) != len(codes.themes):
        raise RegistrationError("themes")
    if any(theme not in themes for theme in codes.themes):
        raise RegistrationError("themes")
    # A request for help or information is about something: it needs a main theme.
    if codes.kind in REQUESTS and not codes.themes:
        raise RegistrationError("themes")
    if codes.about is not None and codes.about not in ABOUT:
        raise RegistrationError("about")
    if codes.relation is not None and codes.relation not in RELATIONS:
        raise RegistrationError("relation")
    if codes.risk not in RISKS:
        raise RegistrationError("risk")
    if codes.risk == "acute":
        if codes.action not in ACTIONS:
            raise RegistrationError("action")
    elif codes.action is not None:
        raise RegistrationError("action")
    if any(r not in REFERRALS for r in codes.referrals) or len(set(codes.referrals)) != len(
        codes.referrals
    ):
        raise RegistrationError("referrals")
    if codes.age_band not in age_bands:
        raise RegistrationError("age_band")
    if codes.gender not in genders:
        raise RegistrationError("gender")


def join(codes: Sequence[str]) -> str:
    """A code list as stored (space separated; codes never hold spaces)."""
    return " ".join(codes)


def split(stored: str | None) -> tuple[str, ...]:
    return tuple(stored.split()) if stored else ()
