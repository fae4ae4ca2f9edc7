"""Texts of dossiers, rights requests, exports and the Dossier screen."""

TEXTS: dict[str, dict[str, str]] = {
    # fields and values
    "dossier.title": {"nl": "Dossiers", "en": "Dossiers"},
    "dossier.field.code": {"nl": "Code", "en": "Code"},
    "dossier.field.pseudonym": {"nl": "Pseudoniem", "en": "Pseudonym"},
    "dossier.field.status": {"nl": "Status", "en": "Status"},
    "dossier.field.opened": {"nl": "Geopend", "en": "Opened"},
    "dossier.field.closed": {"nl": "Afgesloten", "en": "Closed"},
    "dossier.field.themes": {"nl": "Thema's", "en": "Themes"},
    "dossier.field.team": {"nl": "Team", "en": "Team"},
    "dossier.field.links": {"nl": "Gekoppeld", "en": "Linked"},
    "dossier.status.open": {"nl": "open", "en": "open"},
    "dossier.status.closed": {"nl": "afgesloten", "en": "closed"},
    "dossier.restricted": {
        "nl": "BEPERKT: dit dossier is alleen-lezen (recht op beperking)",
        "en": "RESTRICTED: this dossier is read-only (right to restriction)",
    },
    "dossier.hold": {
        "nl": "Wettelijke bewaarplicht ({by}): {reason}",
        "en": "Legal hold ({by}): {reason}",
    },
    "dossier.version": {"nl": "versie {n}", "en": "version {n}"},
    "dossier.corrected": {"nl": "verbeterd", "en": "corrected"},
    "dossier.corrects": {"nl": "verbetert versie {n}", "en": "corrects version {n}"},
    "dossier.kind.note": {"nl": "Notitie", "en": "Note"},
    "dossier.kind.assessment": {"nl": "Beoordeling", "en": "Assessment"},
    "dossier.kind.referral": {"nl": "Doorverwijzing", "en": "Referral"},
    "dossier.kind.safety_concern": {"nl": "Zorg over veiligheid", "en": "Safety concern"},
    "dossier.kind.client_disagrees": {
        "nl": "Cliënt niet akkoord met beoordeling",
        "en": "Client disagrees with assessment",
    },
    "dossier.to.caw": {"nl": "CAW", "en": "CAW (general welfare centre)"},
    "dossier.to.police": {"nl": "politie", "en": "police"},
    "dossier.to.vk": {
        "nl": "vertrouwenscentrum kindermishandeling",
        "en": "child abuse confidential centre",
    },
    "dossier.to.jac": {"nl": "JAC", "en": "JAC (youth advice centre)"},
    "dossier.to.gp": {"nl": "huisarts", "en": "general practitioner"},
    "dossier.to.other": {"nl": "andere", "en": "other"},
    # exports
    "dossier.export.title": {"nl": "Kopie van dossier {code}", "en": "Copy of dossier {code}"},
    "dossier.export.made": {"nl": "Gemaakt op {at}", "en": "Made on {at}"},
    "dossier.export.annotations": {"nl": "Notities", "en": "Annotations"},
    "dossier.export.chat": {"nl": "Chatgesprek (gekoppeld {at})", "en": "Chat (linked {at})"},
    "dossier.export.mail": {
        "nl": "Mailgesprek (gekoppeld {at})",
        "en": "Mail thread (linked {at})",
    },
    "dossier.export.requests": {"nl": "Verzoeken", "en": "Requests"},
    "dossier.export.from.chatter": {"nl": "jij", "en": "you"},
    "dossier.export.from.counsellor": {"nl": "hulpverlener", "en": "counsellor"},
    # rights requests
    "rights.title": {"nl": "Verzoeken (rechten)", "en": "Rights requests"},
    "rights.kind.access": {"nl": "inzage", "en": "access"},
    "rights.kind.copy": {"nl": "kopie", "en": "copy"},
    "rights.kind.portability": {"nl": "overdraagbaarheid", "en": "portability"},
    "rights.kind.rectification": {"nl": "verbetering", "en": "rectification"},
    "rights.kind.objection": {"nl": "bezwaar", "en": "objection"},
    "rights.kind.restriction": {"nl": "beperking", "en": "restriction"},
    "rights.kind.erasure": {"nl": "wissing", "en": "erasure"},
    "rights.kind.withdrawal": {"nl": "intrekking toestemming", "en": "withdrawal of consent"},
    "rights.status.open": {"nl": "open", "en": "open"},
    "rights.status.done": {"nl": "afgehandeld", "en": "done"},
    "rights.status.refused": {"nl": "geweigerd", "en": "refused"},
    "rights.due": {"nl": "tegen {due}", "en": "due {due}"},
    "rights.overdue": {"nl": "OVER TIJD", "en": "OVERDUE"},
    "rights.none": {"nl": "Geen open verzoeken.", "en": "No open requests."},
    "rights.fulfilled": {"nl": "Verzoek afgehandeld.", "en": "Request fulfilled."},
    # errors (the `detail` of error frames)
    "dossier.err.not_found": {
        "nl": "Dossier of verzoek niet gevonden.",
        "en": "Dossier or request not found.",
    },
    "dossier.err.forbidden": {
        "nl": "Dat mag je rol niet.",
        "en": "Your role may not do that.",
    },
    "dossier.err.restricted": {
        "nl": "Dit dossier is beperkt (alleen-lezen).",
        "en": "This dossier is restricted (read-only).",
    },
    "dossier.err.legal_hold": {
        "nl": "Wissen geweigerd: er geldt een wettelijke bewaarplicht.",
        "en": "Erasure refused: a legal hold is set.",
    },
    "dossier.err.not_latest": {
        "nl": "Verbeter de nieuwste versie van deze notitie.",
        "en": "Correct the newest version of this annotation.",
    },
    "dossier.err.not_open": {
        "nl": "Dit verzoek is al afgehandeld.",
        "en": "This request is already closed.",
    },
    "dossier.err.bad_theme": {"nl": "Onbekend thema.", "en": "Unknown theme."},
    "dossier.err.bad_kind": {"nl": "Onbekende soort.", "en": "Unknown kind."},
    "dossier.err.bad_referral": {
        "nl": "Kies naar wie je doorverwijst.",
        "en": "Choose whom the referral is to.",
    },
    "dossier.err.bad_status": {"nl": "Onbekende status.", "en": "Unknown status."},
    "dossier.err.bad_date": {
        "nl": "Die datum ligt in de toekomst.",
        "en": "That date is in the future.",
    },
    "dossier.err.no_team": {
        "nl": "Je account hoort bij geen team.",
        "en": "Your account belongs to no team.",
    },
    # the screen
    "dossier.search.placeholder": {
        "nl": "zoek op code, pseudoniem of thema",
        "en": "search by code, pseudonym or theme",
    },
    "dossier.search.none": {"nl": "Geen dossiers gevonden.", "en": "No dossiers found."},
    "dossier.none_open": {
        "nl": "Kies een dossier in de lijst (Enter).",
        "en": "Choose a dossier in the list (Enter).",
    },
    "dossier.new.placeholder": {
        "nl": "pseudoniem voor het nieuwe dossier",
        "en": "pseudonym for the new dossier",
    },
    "dossier.annotate.placeholder": {
        "nl": "tekst van de notitie (ctrl+s bewaart)",
        "en": "annotation text (ctrl+s saves)",
    },
    "dossier.annotate.kind": {"nl": "Soort notitie", "en": "Kind of annotation"},
    "dossier.annotate.to": {"nl": "Doorverwijzing naar", "en": "Referral to"},
    "dossier.annotate.correct": {
        "nl": "Welke notitie verbeter je?",
        "en": "Which annotation do you correct?",
    },
    "dossier.linked": {"nl": "Gekoppeld: {what}", "en": "Linked: {what}"},
    "dossier.link.none": {
        "nl": "Geen actief chatgesprek of mailgesprek om te koppelen.",
        "en": "No active chat or mail thread to link.",
    },
    "dossier.saved": {"nl": "Bewaard.", "en": "Saved."},
    "dossier.admin": {
        "nl": "Beheerders zien geen dossierinhoud; alleen de termijnen van verzoeken.",
        "en": "Admins see no dossier content; only the deadlines of requests.",
    },
    "dossier.error": {"nl": "Niet gelukt: {detail}", "en": "Failed: {detail}"},
    "dossier.offline": {"nl": "Geen verbinding met de relay.", "en": "No connection to the relay."},
    "dossier.key.search": {"nl": "zoeken", "en": "search"},
    "dossier.key.new": {"nl": "nieuw", "en": "new"},
    "dossier.key.annotate": {"nl": "notitie", "en": "annotate"},
    "dossier.key.link": {"nl": "koppelen", "en": "link"},
    "dossier.themes.title": {
        "nl": "Thema's van dossier {code}",
        "en": "Themes of dossier {code}",
    },
    "dossier.themes.saved": {"nl": "Thema's bewaard.", "en": "Themes saved."},
    "dossier.link.confirm": {
        "nl": "{what} koppelen aan dossier {code}?",
        "en": "Link {what} to dossier {code}?",
    },
    "dossier.unlink.confirm": {
        "nl": "{what} is aan dossier {code} gekoppeld. Ontkoppelen?",
        "en": "{what} is linked to dossier {code}. Unlink it?",
    },
    "dossier.unlinked": {"nl": "Ontkoppeld: {what}", "en": "Unlinked: {what}"},
    "dossier.this_chat": {"nl": "dit gesprek", "en": "this chat"},
    "dossier.this_mail": {"nl": "dit mailgesprek", "en": "this mail conversation"},
    "dossier.title.link_chat": {
        "nl": "Dossiers · dit chatgesprek koppelen: open een dossier, F6",
        "en": "Dossiers · link this chat: open a dossier, F6",
    },
    "dossier.title.link_mail": {
        "nl": "Dossiers · dit mailgesprek koppelen: open een dossier, F6",
        "en": "Dossiers · link this mail thread: open a dossier, F6",
    },
    "dossier.hold.supervisors": {
        "nl": "Alleen een supervisor zet of lift een wettelijke bewaarplicht.",
        "en": "Only a supervisor sets or lifts a legal hold.",
    },
    "dossier.hold.reason": {
        "nl": "Wettelijke bewaarplicht: reden (verplicht)",
        "en": "Legal hold: reason (required)",
    },
    "dossier.hold.placeholder": {
        "nl": "bv. gerechtelijk onderzoek, vordering parket",
        "en": "e.g. judicial investigation, prosecutor's order",
    },
    "dossier.hold.confirm_lift": {
        "nl": "Wettelijke bewaarplicht van {code} opheffen? De bewaartermijnen gelden dan weer.",
        "en": "Lift the legal hold on {code}? The retention periods apply again.",
    },
    "dossier.hold.set": {
        "nl": "Wettelijke bewaarplicht gezet.",
        "en": "Legal hold set.",
    },
    "dossier.hold.lifted": {
        "nl": "Wettelijke bewaarplicht opgeheven.",
        "en": "Legal hold lifted.",
    },
    "dossier.field.requests": {"nl": "Verzoeken", "en": "Requests"},
    "rights.new": {"nl": "Nieuw verzoek voor {code}", "en": "New request for {code}"},
    "rights.received": {
        "nl": "Ontvangen op (DD-MM-JJJJ)",
        "en": "Received on (DD-MM-YYYY)",
    },
    "rights.bad_day": {
        "nl": "Geen geldige datum: {text} (DD-MM-JJJJ).",
        "en": "Not a valid date: {text} (DD-MM-YYYY).",
    },
    "rights.note": {"nl": "Notitie bij het verzoek (mag leeg)", "en": "Note (may be empty)"},
    "rights.note.placeholder": {
        "nl": "bv. schriftelijk ontvangen, identiteit gecontroleerd",
        "en": "e.g. received in writing, identity checked",
    },
    "rights.created": {
        "nl": "Verzoek ({kind}) geregistreerd, te beantwoorden tegen {due}.",
        "en": "Request ({kind}) recorded, due {due}.",
    },
    "dossier.menu.title": {"nl": "Dossier {code}", "en": "Dossier {code}"},
    "dossier.key.more": {"nl": "meer…", "en": "more…"},
    "dossier.menu.correct": {"nl": "Notitie verbeteren", "en": "Correct an annotation"},
    "dossier.menu.themes": {
        "nl": "Thema's kiezen (het eerste is het hoofdthema)",
        "en": "Choose themes (the first is the main theme)",
    },
    "dossier.menu.request": {
        "nl": "Nieuw verzoek (inzage, kopie, verbetering, ...)",
        "en": "New request (access, copy, rectification, ...)",
    },
    "dossier.menu.close": {"nl": "Dossier sluiten", "en": "Close the dossier"},
    "dossier.menu.reopen": {"nl": "Dossier heropenen", "en": "Reopen the dossier"},
    "dossier.menu.hold": {
        "nl": "Wettelijke bewaarplicht instellen",
        "en": "Set a legal hold",
    },
    "dossier.menu.lift": {
        "nl": "Wettelijke bewaarplicht opheffen",
        "en": "Lift the legal hold",
    },
    "dossier.key.rights": {"nl": "verzoeken", "en": "requests"},
    "dossier.key.fulfil": {"nl": "afhandelen", "en": "fulfil"},
    "dossier.key.back": {"nl": "terug", "en": "back"},
}
