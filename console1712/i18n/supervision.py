"""Every string of supervision (issue 7): the supervisor screen, reading along, notes,
emergency disclosure and phone contacts."""

TEXTS: dict[str, dict[str, str]] = {
    # supervisor screen
    "sup.title": {"nl": "Supervisie · live overzicht", "en": "Supervision · live overview"},
    "sup.regions": {
        "nl": "Regio          wachtend  langst",
        "en": "Region         waiting  longest",
    },
    "sup.region.unknown": {"nl": "onbekend", "en": "unknown"},
    "sup.minutes": {"nl": "{n} min", "en": "{n} min"},
    "sup.today": {"nl": "Vandaag", "en": "Today"},
    "sup.started": {"nl": "gestart: {n}", "en": "started: {n}"},
    "sup.answered": {"nl": "beantwoord: {n}", "en": "answered: {n}"},
    "sup.abandoned": {"nl": "afgehaakt (wachtend): {n}", "en": "left while waiting: {n}"},
    "sup.median": {"nl": "mediaan wachttijd: {value}", "en": "median wait: {value}"},
    "sup.mail": {
        "nl": "e-mail: {due} vandaag te beantwoorden, {overdue} over tijd",
        "en": "mail: {due} due today, {overdue} overdue",
    },
    "sup.mail.none": {"nl": "e-mail: —", "en": "mail: —"},
    "sup.staff": {"nl": "Online", "en": "Online"},
    "sup.staff.none": {"nl": "Niemand online.", "en": "Nobody online."},
    "sup.staff.row": {"nl": "{name}: {status}, {n} open", "en": "{name}: {status}, {n} open"},
    "sup.chats": {"nl": "Lopende gesprekken (F2: meekijken)", "en": "Open chats (F2: read along)"},
    "sup.chats.none": {"nl": "Geen lopende gesprekken.", "en": "No open chats."},
    "sup.chat.row": {
        "nl": "{name} · sinds {time}{readers}",
        "en": "{name} · since {time}{readers}",
    },
    "sup.chart": {
        "nl": "Wachtrij, laatste {hours} uur (hoogste: {max})",
        "en": "Queue, last {hours} hours (highest: {max})",
    },
    "sup.keys": {
        "nl": "F2 meekijken · F3 noodvrijgave · Esc terug",
        "en": "F2 read along · F3 disclosure · Esc back",
    },
    "sup.offline": {"nl": "Geen verbinding met de relay.", "en": "No connection to the relay."},
    "sup.no_chat": {"nl": "Kies eerst een gesprek.", "en": "Choose a chat first."},
    "sup.pending": {
        "nl": "Nieuwe aanvraag tot noodvrijgave (F3).",
        "en": "New emergency disclosure request (F3).",
    },
    # read along
    "readalong.title": {
        "nl": "Meekijken (alleen lezen) · hulpverlener: {name}",
        "en": "Reading along (read-only) · counsellor: {name}",
    },
    "readalong.note": {
        "nl": "Privénotitie aan de hulpverlener (Enter: verzenden)",
        "en": "Private note to the counsellor (Enter: send)",
    },
    "readalong.sent": {"nl": "Notitie verstuurd.", "en": "Note sent."},
    "readalong.failed": {
        "nl": "Meekijken lukte niet: {reason}",
        "en": "Read-along failed: {reason}",
    },
    "readalong.ended": {"nl": "Het gesprek is afgesloten.", "en": "The chat has ended."},
    "readalong.keys": {
        "nl": "Enter notitie · Esc stoppen met meekijken",
        "en": "Enter note · Esc stop",
    },
    # counsellor side
    "chat.mark.watched": {"nl": "meekijken: {names}", "en": "read along: {names}"},
    "chat.note": {
        "nl": "Notitie van {name} (alleen voor jou): {text}",
        "en": "Note from {name} (only for you): {text}",
    },
    # disclosure
    "disclosure.title": {
        "nl": "Noodvrijgave IP-adres (vier ogen)",
        "en": "Emergency IP disclosure (four eyes)",
    },
    "disclosure.none": {"nl": "Geen aanvragen.", "en": "No requests."},
    "disclosure.row": {
        "nl": "{status} · {by} · {chat} · {reason}",
        "en": "{status} · {by} · {chat} · {reason}",
    },
    "disclosure.status.pending": {"nl": "open", "en": "pending"},
    "disclosure.status.approved": {"nl": "goedgekeurd", "en": "approved"},
    "disclosure.status.refused": {"nl": "geweigerd", "en": "refused"},
    "disclosure.keys": {
        "nl": "F2 goedkeuren · F3 weigeren · F4 adres tonen (één keer) · Esc terug",
        "en": "F2 approve · F3 refuse · F4 show address (once) · Esc back",
    },
    "disclosure.address": {
        "nl": "Netwerkadres van {chat}: {address} (wordt maar één keer getoond)",
        "en": "Network address of {chat}: {address} (shown only once)",
    },
    "disclosure.error": {"nl": "Geweigerd: {reason}", "en": "Refused: {reason}"},
    "disclosure.err.own_request": {
        "nl": "je eigen aanvraag keurt een collega goed",
        "en": "a colleague must decide on your own request",
    },
    "disclosure.err.already_viewed": {"nl": "al een keer getoond", "en": "already shown once"},
    "disclosure.err.expired": {
        "nl": "het gesprek is ouder dan de bewaartermijn",
        "en": "the chat is past its retention period",
    },
    "disclosure.err.decided": {"nl": "al beslist", "en": "already decided"},
    "disclosure.err.forbidden": {"nl": "niet toegestaan", "en": "not allowed"},
    "disclosure.err.not_found": {"nl": "niet gevonden", "en": "not found"},
    "disclosure.ask": {
        "nl": "IP-adres van dit gesprek opvragen (noodgeval). Reden:",
        "en": "Request this chat's IP address (emergency). Reason:",
    },
    "disclosure.ask_keys": {
        "nl": "ctrl+y aanvragen · Esc annuleren",
        "en": "ctrl+y request · Esc cancel",
    },
    "disclosure.asked": {
        "nl": "Aanvraag verstuurd; een supervisor beslist.",
        "en": "Request sent; a supervisor decides.",
    },
    "disclosure.decided.yes": {
        "nl": "Je aanvraag tot noodvrijgave is goedgekeurd.",
        "en": "Your disclosure request was approved.",
    },
    "disclosure.decided.no": {
        "nl": "Je aanvraag tot noodvrijgave is geweigerd.",
        "en": "Your disclosure request was refused.",
    },
    # phone contacts
    "phone.title": {"nl": "Telefonisch contact registreren", "en": "Register a phone contact"},
    "phone.minutes": {"nl": "Duur in minuten", "en": "Duration in minutes"},
    "phone.date": {
        "nl": "JJJJ-MM-DD, leeg: vandaag",
        "en": "YYYY-MM-DD, empty: today",
    },
    "phone.date_label": {"nl": "Datum", "en": "Date"},
    "phone.region": {"nl": "Regio", "en": "Region"},
    "phone.age": {"nl": "Leeftijd", "en": "Age"},
    "phone.gender": {"nl": "Gender", "en": "Gender"},
    "phone.theme": {"nl": "Hoofdthema", "en": "Main theme"},
    "phone.keys": {"nl": "ctrl+y bewaren · Esc annuleren", "en": "ctrl+y save · Esc cancel"},
    "phone.bad": {"nl": "Geef een duur van 1 tot 600 minuten.", "en": "Give 1 to 600 minutes."},
    "phone.saved": {"nl": "Telefonisch contact bewaard.", "en": "Phone contact saved."},
    "gender.female": {"nl": "vrouw", "en": "female"},
    "gender.male": {"nl": "man", "en": "male"},
    "gender.other": {"nl": "anders", "en": "other"},
    "gender.unknown": {"nl": "onbekend", "en": "unknown"},
    "age.unknown": {"nl": "onbekend", "en": "unknown"},
    "theme.unknown": {"nl": "onbekend", "en": "unknown"},
    # footer keys of the supervision screens
    "supkey.sup.read_along": {"nl": "meekijken", "en": "read along"},
    "supkey.sup.disclosures": {"nl": "vrijgave", "en": "disclosure"},
    "supkey.sup.close": {"nl": "terug", "en": "back"},
    "supkey.disclosure.approve": {"nl": "goedkeuren", "en": "approve"},
    "supkey.disclosure.refuse": {"nl": "weigeren", "en": "refuse"},
    "supkey.disclosure.view": {"nl": "adres", "en": "address"},
    "key.supervisor": {"nl": "supervisie: live overzicht", "en": "supervision: live overview"},
    "key.alerts": {
        "nl": "meldingen: wat op een supervisor wacht (op elk scherm)",
        "en": "alerts: what waits for a supervisor (on every screen)",
    },
    "key.phone": {"nl": "telefonisch contact registreren", "en": "register a phone contact"},
    "key.disclosure": {
        "nl": "IP-adres van dit gesprek opvragen (noodgeval)",
        "en": "request this chat's IP address (emergency)",
    },
    # alerts (every screen of a supervisor) and stepping in
    "alerts.line": {
        "nl": "Aandacht: {parts} · ctrl+a lijst",
        "en": "Attention: {parts} · ctrl+a list",
    },
    "alerts.kind.disclosure": {"nl": "{n} vrijgave", "en": "{n} disclosure"},
    "alerts.kind.help": {"nl": "{n} hulpvraag", "en": "{n} help request"},
    "alerts.kind.orphaned": {"nl": "{n} zonder hulpverlener", "en": "{n} without counsellor"},
    "alerts.kind.returned": {"nl": "{n} terug in wachtrij", "en": "{n} back in queue"},
    "alerts.kind.reply": {"nl": "{n} wacht op antwoord", "en": "{n} awaiting answer"},
    "alerts.kind.queue": {"nl": "{n} lang in wachtrij", "en": "{n} long in queue"},
    "alerts.kind.other": {"nl": "{n} andere", "en": "{n} other"},
    "alerts.title": {"nl": "Wat aandacht vraagt", "en": "What needs attention"},
    "alerts.none": {"nl": "Niets open.", "en": "Nothing open."},
    "alerts.row": {
        "nl": "{kind} · {who} · {region} · {minutes} min",
        "en": "{kind} · {who} · {region} · {minutes} min",
    },
    "alerts.name.disclosure": {"nl": "noodvrijgave", "en": "disclosure"},
    "alerts.name.help": {"nl": "hulpvraag", "en": "help request"},
    "alerts.name.orphaned": {"nl": "hulpverlener weg", "en": "counsellor gone"},
    "alerts.name.returned": {"nl": "terug in wachtrij", "en": "back in queue"},
    "alerts.name.reply": {"nl": "wacht op antwoord", "en": "awaiting answer"},
    "alerts.name.queue": {"nl": "lang in wachtrij", "en": "long in queue"},
    "alerts.keys": {
        "nl": "Enter openen · F2 overnemen · Esc terug",
        "en": "Enter open · F2 take over · Esc back",
    },
    "takeover.confirm": {
        "nl": "Het gesprek van {name} met {nickname} overnemen? {name} geeft het af en de"
        " chatter ziet dat u het overneemt.",
        "en": "Take over {name}'s chat with {nickname}? {name} loses it and the chatter"
        " sees you join.",
    },
    "takeover.done": {"nl": "Gesprek overgenomen.", "en": "Chat taken over."},
    "takeover.failed": {
        "nl": "Overnemen niet gelukt ({code}).",
        "en": "Take-over failed ({code}).",
    },
    "reassign.title": {"nl": "Toewijzen aan", "en": "Reassign to"},
    "reassign.done": {"nl": "Gesprek toegewezen.", "en": "Chat reassigned."},
    "reassign.failed": {"nl": "Toewijzen niet gelukt ({code}).", "en": "Reassign failed ({code})."},
    "supkey.sup.take_over": {"nl": "overnemen", "en": "take over"},
    "supkey.sup.reassign": {"nl": "toewijzen", "en": "reassign"},
    "supkey.sup.blocks": {"nl": "blokkeringen", "en": "blocks"},
    "supkey.alerts.open": {"nl": "meldingen", "en": "alerts"},
    "sup.chat.row2": {
        "nl": "{name} · {nickname} · {region} · {minutes} min · antwoord {answer}{readers}",
        "en": "{name} · {nickname} · {region} · {minutes} min · answer {answer}{readers}",
    },
    "sup.answer.never": {"nl": "nog geen", "en": "none yet"},
    "sup.answer.ago": {"nl": "{n} min geleden", "en": "{n} min ago"},
    "sup.staff.row_cap": {
        "nl": "{name}: {status}, {n}/{cap} open",
        "en": "{name}: {status}, {n}/{cap} open",
    },
    "sup.chart1": {
        "nl": "Wachtrij, laatste {hours} uur (hoogste: {max})",
        "en": "Queue, last {hours} hour(s) (highest: {max})",
    },
    "disclosure.row2": {
        "nl": "{status} · {nickname} · {region} · gestart {start} · door {by} · {reason}",
        "en": "{status} · {nickname} · {region} · started {start} · by {by} · {reason}",
    },
    "disclosure.confirm": {
        "nl": "Het IP-adres tonen? Dit kan maar één keer en komt in het auditlog.",
        "en": "Show the IP address? This can be done once and goes into the audit log.",
    },
    "disclosure.audited": {
        "nl": "Deze inzage is vastgelegd in het auditlog. Het adres blijft staan tot je dit"
        " scherm sluit.",
        "en": "This view was recorded in the audit log. The address stays until you close"
        " this screen.",
    },
    "disclosure.err.pending": {
        "nl": "Er loopt al een aanvraag voor dit gesprek; wacht op de beslissing.",
        "en": "A request for this chat is already open; wait for the decision.",
    },
    "workspace.taken_over": {
        "nl": "Supervisor {name} heeft dit gesprek overgenomen of doorgegeven.",
        "en": "Supervisor {name} took over or reassigned this chat.",
    },
    # quitting with open chats (the counsellor's F10)
    "quit.title": {
        "nl": "Je hebt {n} open gesprek(ken). Wat gebeurt ermee voor je stopt?",
        "en": "You have {n} open chat(s). What happens to them before you quit?",
    },
    "quit.return": {
        "nl": "Teruggeven aan de wachtrij (vooraan; een collega neemt over)",
        "en": "Give back to the queue (at the front; a colleague takes over)",
    },
    "quit.transfer": {
        "nl": "Elk gesprek doorgeven aan een collega",
        "en": "Transfer each chat to a colleague",
    },
    "quit.keys": {"nl": "Enter kiezen · Esc blijven", "en": "Enter choose · Esc stay"},
    "quit.transfer_to": {
        "nl": "Gesprek met {nickname} doorgeven aan",
        "en": "Transfer the chat with {nickname} to",
    },
    "quit.failed": {
        "nl": "Niet gelukt ({code}); je bent nog aangemeld.",
        "en": "Failed ({code}); you are still signed in.",
    },
    "quit.nobody": {
        "nl": "Geen collega online om aan door te geven; geef de gesprekken terug aan de wachtrij.",
        "en": "No colleague online to transfer to; give the chats back to the queue.",
    },
    "readalong.whisper": {
        "nl": "Jouw notitie aan de hulpverlener (chatter ziet dit niet): {text}",
        "en": "Your note to the counsellor (the chatter does not see it): {text}",
    },
    "queue.returned": {"nl": "terug", "en": "returned"},
    "relay.pending": {
        "nl": "Er loopt al een aanvraag tot noodvrijgave voor dit gesprek.",
        "en": "A disclosure request for this chat is already open.",
    },
}
