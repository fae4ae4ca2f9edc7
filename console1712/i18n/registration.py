"""Every string of contact registration (wrap-up), chat notes, recently ended chats and
ask-a-supervisor. Code labels are `reg.<field>.<code>` (codes: domain/registration.py);
referral labels are the dossiers' `dossier.to.<code>`, gender and age labels supervision's."""

TEXTS: dict[str, dict[str, str]] = {
    # code labels
    "reg.kind.help": {"nl": "hulpvraag", "en": "request for help"},
    "reg.kind.information": {"nl": "informatievraag", "en": "question for information"},
    "reg.kind.silent": {"nl": "stil of test", "en": "silent or test"},
    "reg.kind.abusive": {"nl": "misbruik", "en": "abusive"},
    "reg.kind.wrong": {"nl": "verkeerd adres", "en": "wrong address"},
    "reg.about.self": {"nl": "zichzelf", "en": "self"},
    "reg.about.child": {"nl": "kind in het gezin", "en": "child in the family"},
    "reg.about.friend": {"nl": "vriend(in)", "en": "friend"},
    "reg.about.partner": {"nl": "partner", "en": "partner"},
    "reg.about.other": {"nl": "iemand anders", "en": "someone else"},
    "reg.relation.parent": {"nl": "ouder", "en": "parent"},
    "reg.relation.step-parent": {"nl": "stiefouder", "en": "step-parent"},
    "reg.relation.partner": {"nl": "partner", "en": "partner"},
    "reg.relation.ex-partner": {"nl": "ex-partner", "en": "ex-partner"},
    "reg.relation.family": {"nl": "ander familielid", "en": "other family"},
    "reg.relation.peer": {"nl": "leeftijdsgenoot", "en": "peer"},
    "reg.relation.adult": {"nl": "andere volwassene", "en": "other adult"},
    "reg.relation.unknown": {"nl": "onbekend", "en": "unknown"},
    "reg.risk.none": {"nl": "geen", "en": "none"},
    "reg.risk.worried": {"nl": "zorgen", "en": "worried"},
    "reg.risk.high": {"nl": "hoog", "en": "high"},
    "reg.risk.acute": {"nl": "acuut", "en": "acute"},
    "reg.action.emergency": {"nl": "112/101 gebeld", "en": "112/101 called"},
    "reg.action.disclosure": {"nl": "IP-adres opgevraagd", "en": "disclosure asked"},
    "reg.action.supervisor": {"nl": "supervisor betrokken", "en": "supervisor involved"},
    "reg.action.none": {"nl": "geen", "en": "none"},
    "reg.channel.chat": {"nl": "chat", "en": "chat"},
    "reg.channel.mail": {"nl": "e-mail", "en": "mail"},
    "reg.channel.phone": {"nl": "telefoon", "en": "phone"},
    # relay errors
    "reg.err.not_found": {"nl": "Deze registratie bestaat niet.", "en": "No such registration."},
    "reg.err.forbidden": {
        "nl": "Dit contact is van een andere hulpverlener.",
        "en": "This contact belongs to another counsellor.",
    },
    "reg.err.no_notes": {
        "nl": "Notities horen bij een lopend gesprek van jou.",
        "en": "Notes belong to an open chat of yours.",
    },
    # the form
    "reg.title": {"nl": "Registratie · {channel} {when}", "en": "Registration · {channel} {when}"},
    "reg.field.kind": {"nl": "Soort contact", "en": "Kind of contact"},
    "reg.field.themes": {"nl": "Thema's (1e = hoofd)", "en": "Themes (1st = main)"},
    "reg.field.about": {"nl": "Over wie", "en": "About whom"},
    "reg.field.relation": {"nl": "Relatie tot pleger", "en": "Relation to who harms"},
    "reg.field.risk": {"nl": "Risico", "en": "Risk"},
    "reg.field.action": {"nl": "Actie bij acuut", "en": "Action if acute"},
    "reg.field.referrals": {"nl": "Doorverwijzing", "en": "Referral"},
    "reg.field.age_band": {"nl": "Leeftijd", "en": "Age"},
    "reg.field.gender": {"nl": "Gender", "en": "Gender"},
    "reg.field.note": {"nl": "Korte notitie", "en": "Short note"},
    "reg.unset": {"nl": "—", "en": "—"},
    "reg.keys": {
        "nl": "↑↓ veld · ←→ kiezen · spatie aan/uit · ctrl+y opslaan · Esc later",
        "en": "↑↓ field · ←→ choose · space on/off · ctrl+y save · Esc later",
    },
    "reg.saved": {"nl": "Registratie opgeslagen.", "en": "Registration saved."},
    "reg.postponed": {"nl": "Registratie uitgesteld.", "en": "Registration postponed."},
    "reg.invalid": {"nl": "Nog niet volledig: {field}", "en": "Not complete yet: {field}"},
    "reg.open": {"nl": "{n} registraties open", "en": "{n} registrations open"},
    "reg.open.one": {"nl": "1 registratie open", "en": "1 registration open"},
    "reg.none": {"nl": "Geen open registraties.", "en": "No open registrations."},
    "reg.sup.counts": {"nl": "Registraties open: {counts}", "en": "Registrations open: {counts}"},
    "reg.list": {"nl": "Open registraties", "en": "Open registrations"},
    # keys (F1 and the footer)
    "key.registrations": {
        "nl": "open registraties (contact afronden)",
        "en": "open registrations (wrap-up)",
    },
    "key.short.registrations": {"nl": "registraties", "en": "registrations"},
    "key.notes": {
        "nl": "eigen notities bij dit gesprek",
        "en": "own notes on this chat",
    },
    "key.short.notes": {"nl": "notities", "en": "notes"},
    # notes
    "notes.title": {"nl": "Notities · {name}", "en": "Notes · {name}"},
    "notes.keys": {
        "nl": "ctrl+y of Esc: bewaren en sluiten (alleen voor jou en je supervisor)",
        "en": "ctrl+y or Esc: keep and close (for you and your supervisor only)",
    },
    "notes.saved": {"nl": "Notities bewaard.", "en": "Notes kept."},
    "notes.readalong": {
        "nl": "Notities van de hulpverlener: {text}",
        "en": "Counsellor's notes: {text}",
    },
    "key.recent": {
        "nl": "recent afgesloten gesprekken (lezen, registreren, dossier)",
        "en": "recently ended chats (read, register, dossier)",
    },
    "key.short.recent": {"nl": "recent", "en": "recent"},
    # recently ended chats
    "recent.title": {
        "nl": "Recent afgesloten gesprekken (laatste 12 uur)",
        "en": "Recently ended chats (last 12 hours)",
    },
    "recent.row": {"nl": "{time}  {name}  {mark}", "en": "{time}  {name}  {mark}"},
    "recent.reg.open": {"nl": "registratie open", "en": "registration open"},
    "recent.reg.done": {"nl": "geregistreerd", "en": "registered"},
    "recent.none": {
        "nl": "Geen afgesloten gesprekken in de laatste 12 uur.",
        "en": "No chats ended in the last 12 hours.",
    },
    "recent.chat": {
        "nl": "{name} · afgesloten {time} · alleen lezen",
        "en": "{name} · ended {time} · read only",
    },
    "recent.notes": {"nl": "Notities: {text}", "en": "Notes: {text}"},
    "recent.no_notes": {"nl": "Geen notities.", "en": "No notes."},
    "recent.key.close": {"nl": "terug", "en": "back"},
    "recent.key.register": {"nl": "registreren", "en": "register"},
    "recent.key.dossier": {"nl": "dossier", "en": "dossier"},
    # ask a supervisor
    "help.err.not_assigned": {
        "nl": "Je kunt alleen hulp vragen bij een eigen lopend gesprek.",
        "en": "Ask for help on an open chat of your own.",
    },
    "help.err.gone": {
        "nl": "Deze hulpvraag is al beantwoord of het gesprek is afgesloten.",
        "en": "This call for help was answered already or its chat ended.",
    },
    "help.sent": {
        "nl": "Supervisor gevraagd ({n} online).",
        "en": "Supervisor asked ({n} online).",
    },
    "help.answered": {
        "nl": "{name} neemt je vraag op en kijkt mee.",
        "en": "{name} takes your call and reads along.",
    },
    "help.alert": {
        "nl": "HULP · {name} · gesprek {chat} · {time}{again}",
        "en": "HELP · {name} · chat {chat} · {time}{again}",
    },
    "help.alert.again": {"nl": " · {n}e oproep", "en": " · call {n}"},
    "help.alert.more": {"nl": " (+{n})", "en": " (+{n})"},
    "help.alert.keys": {"nl": "ctrl+x: opnemen · ", "en": "ctrl+x: take · "},
    "key.help_request": {
        "nl": "supervisor vragen (hulpverlener) / hulpvraag opnemen (supervisor)",
        "en": "ask a supervisor (counsellor) / take a call for help (supervisor)",
    },
    "key.short.help_request": {"nl": "supervisor", "en": "supervisor"},
}
