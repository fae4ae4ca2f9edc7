"""Texts the relay sends over the wire (the `detail` of `error` frames)."""

TEXTS: dict[str, dict[str, str]] = {
    "relay.bad.json": {
        "nl": "Dit bericht is geen geldige JSON.",
        "en": "This frame is not valid JSON.",
    },
    "relay.bad.object": {
        "nl": "Een bericht moet een JSON-object zijn.",
        "en": "A frame must be a JSON object.",
    },
    "relay.bad.unicode": {
        "nl": "Dit bericht bevat ongeldige Unicode.",
        "en": "This frame contains invalid Unicode.",
    },
    "relay.bad.type": {
        "nl": "Onbekend of ontbrekend berichttype.",
        "en": "Unknown or missing frame type.",
    },
    "relay.bad.field": {
        "nl": "Het veld '{field}' ontbreekt of heeft een ongeldige waarde.",
        "en": "The field '{field}' is missing or has an invalid value.",
    },
    "relay.bad.text": {
        "nl": "Een bericht moet 1 tot 4000 tekens lang zijn.",
        "en": "A message must be 1 to 4000 characters long.",
    },
    "relay.bad.not_started": {
        "nl": "Start eerst een gesprek.",
        "en": "Start a chat first.",
    },
    "relay.bad.self": {
        "nl": "Je kunt een gesprek niet aan jezelf doorgeven.",
        "en": "You cannot transfer a chat to yourself.",
    },
    "relay.too_many_chats": {
        "nl": "Je hebt al het maximum aantal gesprekken open ({max}). Sluit er eerst een af.",
        "en": "You already have the maximum number of chats open ({max}). End one first.",
    },
    "relay.consent_required": {
        "nl": "We kunnen pas chatten als je akkoord gaat met de verwerking van je gegevens.",
        "en": "We can only chat once you agree to the processing of your data.",
    },
    "relay.closed": {
        "nl": "De chat is nu gesloten. Je kunt ons ook op een andere manier bereiken.",
        "en": "The chat is closed now. You can also reach us in other ways.",
    },
    "relay.blocked": {
        "nl": "Je kunt tijdelijk niet chatten. Je kunt ons wel op een andere manier bereiken.",
        "en": "You cannot chat for a while. You can still reach us in other ways.",
    },
    "relay.already_started": {
        "nl": "Dit gesprek is al gestart.",
        "en": "This chat has already started.",
    },
    "relay.expired": {
        "nl": "Dit gesprek kan niet meer hervat worden. Start gerust een nieuw gesprek.",
        "en": "This chat can no longer be resumed. Feel free to start a new one.",
    },
    "relay.rate_limited": {
        "nl": "Je stuurt te veel berichten na elkaar. Wacht {seconds} s.",
        "en": "You are sending too many messages. Wait {seconds} s.",
    },
    "relay.rate_limited_waiting": {
        "nl": "Vanaf deze verbinding wachten al te veel gesprekken. Probeer over {seconds} s.",
        "en": "Too many chats from this connection are waiting already. Try again in {seconds} s.",
    },
    "relay.rate_limited_volume": {
        "nl": "Te veel tekst verstuurd vanaf deze verbinding dit uur. Wacht {seconds} s.",
        "en": "Too much text was sent from this connection in the past hour. Wait {seconds} s.",
    },
    "relay.rate_limited_typing": {
        "nl": "Je stuurt te vaak een typ-signaal. Wacht {seconds} s.",
        "en": "You are sending the typing signal too often. Wait {seconds} s.",
    },
    "relay.unauthenticated": {
        "nl": "Meld je eerst aan.",
        "en": "Log in first.",
    },
    "relay.auth_failed": {
        "nl": "Aanmelden mislukt: naam, wachtwoord of code klopt niet.",
        "en": "Login failed: name, password or code is wrong.",
    },
    "relay.locked": {
        "nl": "Te veel mislukte pogingen. Probeer opnieuw na {until}.",
        "en": "Too many failed attempts. Try again after {until}.",
    },
    "relay.taken": {
        "nl": "Dit gesprek is al aangenomen door een collega.",
        "en": "A colleague has already accepted this chat.",
    },
    "relay.not_found": {
        "nl": "Niet gevonden (of niets meer wachtend).",
        "en": "Not found (or nothing waiting).",
    },
    "relay.forbidden": {
        "nl": "Dit mag je rol niet.",
        "en": "Your role does not allow this.",
    },
    "relay.not_assigned": {
        "nl": "Dit gesprek is niet aan jou toegewezen.",
        "en": "This chat is not assigned to you.",
    },
    "relay.fault": {
        "nl": "Er ging iets mis bij het opslaan. Verbind opnieuw.",
        "en": "Something went wrong while storing. Reconnect.",
    },
    "relay.unavailable": {
        "nl": "Even geen verbinding met de opslag: er is niets bewaard. Probeer het zo opnieuw.",
        "en": "Storage is briefly unreachable: nothing was stored. Try again shortly.",
    },
    "relay.requeued": {
        "nl": "Je hulpverlener is weggevallen. Je gesprek blijft bewaard: een andere"
        " hulpverlener neemt het zo over.",
        "en": "Your counsellor dropped out. Your chat is kept: another counsellor will take"
        " it over shortly.",
    },
}
