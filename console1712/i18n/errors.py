"""A sentence for every error code that can reach a screen: protocol v1's codes, every staff
operation's refusals, and the client's own (offline). `i18n.error_text` picks an area's own
wording first (`mail.error.CODE`, `dossier.err.CODE`, ...), then these, then `error.other`:
a raw code never reaches the screen."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # protocol v1
    "error.bad_request": {
        "nl": "De relay begreep dit verzoek niet. Probeer het opnieuw.",
        "en": "The relay did not understand this request. Try again.",
    },
    "error.consent_required": {
        "nl": "Zonder toestemming kan de chat niet starten.",
        "en": "The chat cannot start without consent.",
    },
    "error.closed": {"nl": "De chat is nu gesloten.", "en": "The chat is closed now."},
    "error.blocked": {
        "nl": "Dit netwerkadres is tijdelijk geblokkeerd.",
        "en": "This network address is blocked for now.",
    },
    "error.already_started": {
        "nl": "Deze chat is al gestart.",
        "en": "This chat has started already.",
    },
    "error.expired": {
        "nl": "Dat is verlopen: de termijn is voorbij.",
        "en": "That has expired: the time is up.",
    },
    "error.rate_limited": {
        "nl": "Te veel tegelijk. Wacht even en probeer opnieuw.",
        "en": "Too much at once. Wait a moment and try again.",
    },
    "error.unauthenticated": {
        "nl": "Je bent niet (meer) aangemeld. Meld je opnieuw aan.",
        "en": "You are not signed in (any more). Sign in again.",
    },
    "error.auth_failed": {
        "nl": "Aanmelden mislukt: naam, wachtwoord of code klopt niet.",
        "en": "Sign-in failed: name, password or code is wrong.",
    },
    "error.locked": {
        "nl": "Te veel mislukte pogingen: dit account is even vergrendeld.",
        "en": "Too many failed attempts: this account is locked for a while.",
    },
    "error.taken": {
        "nl": "Een collega was je voor.",
        "en": "A colleague got there first.",
    },
    "error.not_found": {
        "nl": "Niet gevonden: het bestaat niet (meer) of is niet voor jou.",
        "en": "Not found: it does not exist (any more) or is not yours.",
    },
    "error.forbidden": {
        "nl": "Dat mag je rol niet.",
        "en": "Your role may not do that.",
    },
    "error.not_assigned": {
        "nl": "Dit gesprek is niet (meer) van jou.",
        "en": "This chat is not yours (any more).",
    },
    "error.fault": {
        "nl": "De relay had een storing; er ging niets verloren dat bevestigd was.",
        "en": "The relay had a fault; nothing that was confirmed is lost.",
    },
    "error.too_many_chats": {
        "nl": "Je hebt al het hoogste aantal open gesprekken; sluit er eerst een af.",
        "en": "You already hold the most open chats allowed; end one first.",
    },
    # staff operations
    "error.forgotten": {
        "nl": "De inhoud is op vraag van de afzender gewist.",
        "en": "The content was deleted at the writer's request.",
    },
    "error.no_address": {
        "nl": "De afzender liet geen adres achter om op te antwoorden.",
        "en": "The writer left no address to answer.",
    },
    "error.send_failed": {
        "nl": "Versturen mislukt; je tekst staat er nog. Probeer later opnieuw.",
        "en": "Sending failed; your text is still there. Try again later.",
    },
    "error.unavailable": {
        "nl": "Dit is nu niet beschikbaar. Probeer het zo opnieuw.",
        "en": "This is not available now. Try again in a moment.",
    },
    "error.bad_kind": {"nl": "Onbekende soort.", "en": "Unknown kind."},
    "error.bad_date": {"nl": "Die datum klopt niet.", "en": "That date is not right."},
    "error.bad_theme": {"nl": "Onbekend thema.", "en": "Unknown theme."},
    "error.bad_referral": {
        "nl": "Kies naar wie je doorverwijst.",
        "en": "Choose whom the referral is to.",
    },
    "error.bad_status": {"nl": "Onbekende status.", "en": "Unknown status."},
    "error.not_open": {
        "nl": "Dit is al afgehandeld.",
        "en": "This is closed already.",
    },
    "error.not_latest": {
        "nl": "Verbeter de nieuwste versie.",
        "en": "Correct the newest version.",
    },
    "error.restricted": {
        "nl": "Dit dossier is beperkt (alleen-lezen).",
        "en": "This dossier is restricted (read-only).",
    },
    "error.legal_hold": {
        "nl": "Geweigerd: er geldt een wettelijke bewaarplicht.",
        "en": "Refused: a legal hold is set.",
    },
    "error.no_team": {
        "nl": "Je account hoort bij geen team.",
        "en": "Your account belongs to no team.",
    },
    "error.own_request": {
        "nl": "Over je eigen aanvraag beslist een collega.",
        "en": "A colleague must decide on your own request.",
    },
    "error.decided": {"nl": "Daarover is al beslist.", "en": "That is decided already."},
    "error.already_viewed": {
        "nl": "Het adres werd al een keer getoond; het wordt niet opnieuw getoond.",
        "en": "The address was shown once already; it is not shown again.",
    },
    # the console's own
    "error.offline": {
        "nl": "Geen verbinding met de relay; probeer het zo opnieuw.",
        "en": "No connection to the relay; try again in a moment.",
    },
    "error.session_lost": {
        "nl": "Je sessie is verlopen. Meld je opnieuw aan.",
        "en": "Your session has ended. Sign in again.",
    },
    "error.other": {
        "nl": "Dat lukte niet. Probeer het opnieuw of vraag het je coördinator.",
        "en": "That did not work. Try again or ask your supervisor.",
    },
}
