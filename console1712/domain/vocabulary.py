"""Words both sides use: staff roles, the regions of the teams, the helpline's time zone and
the kinds of rights requests. Defined here once; the relay, the store, the clients, the
console and the web page take them from here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

# The helpline's time: opening hours, working days, dates shown to people and in exports.
BRUSSELS = ZoneInfo("Europe/Brussels")

# The regional teams (a counsellor's team, a chatter's region at intake).
REGIONS = (
    "antwerpen",
    "limburg",
    "oost-vlaanderen",
    "vlaams-brabant",
    "west-vlaanderen",
    "brussel",
)

# Staff accounts' roles; the first two see the queue and take chats, an admin does neither.
ROLES = ("counsellor", "supervisor", "admin")
STAFF_ROLES = ("counsellor", "supervisor")

# Rights requests (policy 3.11): their kinds and statuses.
RIGHTS_KINDS = (
    "access",
    "copy",
    "portability",
    "rectification",
    "objection",
    "restriction",
    "erasure",
    "withdrawal",
)
# Kinds whose fulfilment makes the dossier read-only: processing stops, nothing is erased.
RESTRICTING_KINDS = ("restriction", "objection", "withdrawal")
RIGHTS_STATUSES = ("open", "done", "refused")
