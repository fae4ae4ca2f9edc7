"""Every string of the counsellor console (screens, dialogs, keys, canned replies)."""

TEXTS: dict[str, dict[str, str]] = {
    # login
    "login.title": {"nl": "1712 · aanmelden", "en": "1712 · sign in"},
    "login.relay": {"nl": "Relay: {url}", "en": "Relay: {url}"},
    "login.user": {"nl": "Gebruikersnaam", "en": "User name"},
    "login.password": {"nl": "Wachtwoord", "en": "Password"},
    "login.code": {"nl": "Code (6 cijfers)", "en": "Code (6 digits)"},
    "login.submit": {"nl": "Enter: aanmelden", "en": "Enter: sign in"},
    "login.hint": {
        "nl": "Tab: volgend veld · Enter: aanmelden · F10: stoppen",
        "en": "Tab: next field · Enter: sign in · F10: quit",
    },
    "login.busy": {"nl": "Aanmelden…", "en": "Signing in…"},
    "login.missing": {
        "nl": "Vul gebruikersnaam, wachtwoord en de code van 6 cijfers in.",
        "en": "Fill in user name, password and the 6-digit code.",
    },
    "login.auth_failed": {
        "nl": "Aanmelden mislukt: naam, wachtwoord of code klopt niet.",
        "en": "Sign-in failed: name, password or code is wrong.",
    },
    "login.locked": {
        "nl": "Te veel mislukte pogingen: dit account is 15 minuten vergrendeld.",
        "en": "Too many failed attempts: this account is locked for 15 minutes.",
    },
    "login.unreachable": {
        "nl": "De relay is niet bereikbaar. Probeer het zo opnieuw.",
        "en": "The relay cannot be reached. Try again in a moment.",
    },
    "login.demo": {"nl": "Demo-accounts (code ververst elke 30 s):", "en": "Demo accounts:"},
    "login.demo_row": {
        "nl": "{name} · wachtwoord {password} · code {code}",
        "en": "{name} · password {password} · code {code}",
    },
    # status line
    "status.connected": {"nl": "verbonden", "en": "connected"},
    "status.reconnecting": {
        "nl": "verbinding verbroken, opnieuw verbinden…",
        "en": "connection lost, reconnecting…",
    },
    "status.closed": {"nl": "niet verbonden", "en": "not connected"},
    "status.session_lost": {
        "nl": "sessie verlopen: stop (F10) en meld opnieuw aan",
        "en": "session expired: quit (F10) and sign in again",
    },
    "status.available": {"nl": "beschikbaar", "en": "available"},
    "status.away": {"nl": "afwezig", "en": "away"},
    "status.open": {"nl": "{n} open", "en": "{n} open"},
    "status.queue": {"nl": "{n} wachtend", "en": "{n} waiting"},
    "status.help": {"nl": "F1 hulp", "en": "F1 help"},
    "role.counsellor": {"nl": "hulpverlener", "en": "counsellor"},
    "role.supervisor": {"nl": "supervisor", "en": "supervisor"},
    "role.admin": {"nl": "beheerder", "en": "admin"},
    # queue panel
    "queue.title": {"nl": "Wachtrij", "en": "Queue"},
    "queue.empty": {"nl": "Niemand wacht.", "en": "Nobody waiting."},
    "queue.minutes": {"nl": "{n} min", "en": "{n} min"},
    "queue.age": {"nl": "{n} j", "en": "{n} y"},
    "queue.own_region": {"nl": "eigen regio", "en": "own region"},
    "queue.unknown": {"nl": "?", "en": "?"},
    "region_short.antwerpen": {"nl": "Antw.", "en": "Antw."},
    "region_short.limburg": {"nl": "Limb.", "en": "Limb."},
    "region_short.oost-vlaanderen": {"nl": "O-Vl.", "en": "E-Fl."},
    "region_short.vlaams-brabant": {"nl": "Vl-Br.", "en": "Fl-Br."},
    "region_short.west-vlaanderen": {"nl": "W-Vl.", "en": "W-Fl."},
    "region_short.brussel": {"nl": "Brus.", "en": "Brus."},
    # workspace
    "workspace.no_chats": {
        "nl": "Geen open gesprekken. F2 neemt het gekozen gesprek aan, F3 het volgende.",
        "en": "No open chats. F2 accepts the selected chat, F3 the next one.",
    },
    "workspace.admin": {
        "nl": "Chatgesprekken zijn niet voor de rol beheerder. F10 om te stoppen.",
        "en": "Chats are not for the admin role. F10 to quit.",
    },
    "workspace.not_found": {
        "nl": "Dat gesprek wacht niet meer (of niemand wacht).",
        "en": "That chat is no longer waiting (or nobody is).",
    },
    "workspace.taken": {
        "nl": "Een collega heeft dit gesprek al aangenomen.",
        "en": "A colleague already accepted this chat.",
    },
    "workspace.own_chat": {
        "nl": "Dit gesprek is al van jou (tabblad {n}).",
        "en": "This chat is already yours (tab {n}).",
    },
    "typeahead.waiting": {
        "nl": "Gesprek wordt geopend · je typt alvast",
        "en": "Opening the chat · typing ahead",
    },
    "typeahead.lines.one": {
        "nl": "1 bericht gaat weg zodra het opent",
        "en": "1 message is sent when it opens",
    },
    "typeahead.lines.other": {
        "nl": "{n} berichten gaan weg zodra het opent",
        "en": "{n} messages are sent when it opens",
    },
    "typeahead.parked": {
        "nl": "Niet aangenomen · je tekst blijft hier",
        "en": "Not accepted · your text stays here",
    },
    "typeahead.parked_keys": {
        "nl": "F2/F3: naar het volgende gesprek",
        "en": "F2/F3: into the next chat",
    },
    "typeahead.kept": {
        "nl": "Je getypte tekst is bewaard.",
        "en": "Your typed text is kept.",
    },
    "workspace.forbidden": {
        "nl": "Dit mag uw rol niet.",
        "en": "Your role may not do this.",
    },
    "workspace.not_sent": {
        "nl": "Bericht niet verzonden: {reason}",
        "en": "Message not sent: {reason}",
    },
    "workspace.no_chat": {"nl": "Geen gesprek gekozen.", "en": "No chat selected."},
    "workspace.chat_label": {
        "nl": "het gesprek met {nickname} (gestart {at})",
        "en": "the chat with {nickname} (started {at})",
    },
    "workspace.no_tab.one": {
        "nl": "Er is geen tabblad {number}: er is {n} gesprek open.",
        "en": "There is no tab {number}: {n} chat is open.",
    },
    "workspace.no_tab.other": {
        "nl": "Er is geen tabblad {number}: er zijn {n} gesprekken open.",
        "en": "There is no tab {number}: {n} chats are open.",
    },
    "workspace.transferred": {
        "nl": "Gesprek doorgegeven.",
        "en": "Chat transferred.",
    },
    "blocks.title": {
        "nl": "Lopende blokkeringen (Enter: opheffen)",
        "en": "Running blocks (Enter: lift)",
    },
    "blocks.none": {"nl": "Geen lopende blokkeringen.", "en": "No running blocks."},
    "blocks.row": {
        "nl": "nog {left} · {reason} · door {by}",
        "en": "{left} left · {reason} · by {by}",
    },
    "blocks.hours": {"nl": "{n} uur", "en": "{n} h"},
    "blocks.under_hour": {"nl": "minder dan een uur", "en": "less than an hour"},
    "blocks.confirm": {
        "nl": "Deze blokkering opheffen? Het netwerkadres kan meteen weer chatten.",
        "en": "Lift this block? The network address can chat again at once.",
    },
    "blocks.lifted": {"nl": "Blokkering opgeheven.", "en": "Block lifted."},
    "workspace.transfer_in": {
        "nl": "{name} gaf je het gesprek met {nickname} door (tabblad {n}).",
        "en": "{name} handed you the chat with {nickname} (tab {n}).",
    },
    "workspace.too_many_chats": {
        "nl": "Je hebt al {max} gesprekken open, het maximum. Sluit er eerst een af.",
        "en": "You already have {max} chats open, the maximum. End one first.",
    },
    "workspace.offline": {
        "nl": "Niet verbonden: probeer het straks opnieuw.",
        "en": "Not connected: try again shortly.",
    },
    # activity line (every screen but the workspace)
    "activity.chats": {"nl": "Chats:", "en": "Chats:"},
    "activity.none": {"nl": "geen", "en": "none"},
    "activity.queue": {"nl": "wachtrij {n}", "en": "queue {n}"},
    "activity.jump": {"nl": "F9 naar chat", "en": "F9 to chat"},
    # chat pane
    "chat.you": {"nl": "u", "en": "you"},
    "chat.chatter": {"nl": "chatter", "en": "chatter"},
    "chat.counsellor": {"nl": "hulpverlener", "en": "counsellor"},
    "chat.pending": {"nl": "(verzenden…)", "en": "(sending…)"},
    "chat.input_hint": {
        "nl": "Enter: verzenden · ctrl+o: nieuwe regel",
        "en": "Enter: send · ctrl+o: new line",
    },
    "chat.intake": {"nl": "Intake", "en": "Intake"},
    "chat.nickname": {"nl": "Naam", "en": "Name"},
    "chat.age": {"nl": "Leeftijd", "en": "Age"},
    "chat.gender": {"nl": "Gender", "en": "Gender"},
    "chat.region": {"nl": "Regio", "en": "Region"},
    "chat.state": {"nl": "Status", "en": "State"},
    "chat.state.open": {"nl": "in gesprek", "en": "in chat"},
    "chat.state.away": {"nl": "chatter weg", "en": "chatter away"},
    "chat.state.ended": {"nl": "afgesloten", "en": "ended"},
    "chat.typing": {"nl": "typt…", "en": "typing…"},
    "chat.ended.chatter": {
        "nl": "De chatter heeft het gesprek verlaten. F8 sluit het tabblad.",
        "en": "The chatter left the chat. F8 closes the tab.",
    },
    "chat.ended.counsellor": {"nl": "Het gesprek is afgesloten.", "en": "The chat was ended."},
    "chat.ended.timeout": {
        "nl": "De chatter kwam niet terug binnen de tijd. F8 sluit het tabblad.",
        "en": "The chatter did not come back in time. F8 closes the tab.",
    },
    "chat.ended.other": {
        "nl": "Het gesprek is beëindigd. F8 sluit het tabblad.",
        "en": "The chat has ended. F8 closes the tab.",
    },
    "chat.presence.away": {
        "nl": "De verbinding van de chatter is weg; wacht op terugkeer…",
        "en": "The chatter's connection dropped; waiting for them to return…",
    },
    "chat.presence.back": {"nl": "De chatter is terug.", "en": "The chatter is back."},
    "chat.new_below_one": {
        "nl": "1 nieuw bericht ↓ (ctrl+End)",
        "en": "1 new message ↓ (ctrl+End)",
    },
    "chat.new_below": {
        "nl": "{n} nieuwe berichten ↓ (ctrl+End)",
        "en": "{n} new messages ↓ (ctrl+End)",
    },
    "chat.search": {
        "nl": "Zoeken in dit gesprek (Enter volgende, shift+Enter vorige, Esc terug)",
        "en": "Search this chat (Enter next, shift+Enter previous, Esc back)",
    },
    "chat.search_none": {"nl": "geen treffers", "en": "no hits"},
    "chat.search_hit": {"nl": "{n} van {total}", "en": "{n} of {total}"},
    "chat.older_loading": {
        "nl": "Oudere berichten ophalen…",
        "en": "Fetching older messages…",
    },
    "chat.mark.waiting": {"nl": "⏱{n}m", "en": "⏱{n}m"},
    "chat.transferred_by": {
        "nl": "Gesprek doorgegeven door {name}.",
        "en": "Chat handed over by {name}.",
    },
    "chat.handover_note": {"nl": "Notitie bij overdracht: {text}", "en": "Handover note: {text}"},
    "chat.mark.away": {"nl": "weg", "en": "away"},
    "chat.mark.ended": {"nl": "einde", "en": "ended"},
    # dialogs
    "dialog.yes": {"nl": "ja", "en": "yes"},
    "dialog.no": {"nl": "nee", "en": "no"},
    "dialog.confirm_keys": {
        "nl": "ctrl+y: bevestigen · Esc of ctrl+n: annuleren",
        "en": "ctrl+y: confirm · Esc or ctrl+n: cancel",
    },
    "dialog.pick_keys": {
        "nl": "↑↓: kiezen · Enter: nemen · Esc: annuleren",
        "en": "↑↓: choose · Enter: take · Esc: cancel",
    },
    "dialog.end": {
        "nl": "Gesprek met {nickname} afsluiten?",
        "en": "End the chat with {nickname}?",
    },
    "dialog.quit_open": {
        "nl": "Open gesprekken: {n}. Toch stoppen? De chatters blijven dan wachten.",
        "en": "Open chats: {n}. Quit anyway? The chatters will be left waiting.",
    },
    "dialog.transfer": {"nl": "Gesprek doorgeven aan", "en": "Transfer the chat to"},
    "dialog.transfer_user": {"nl": "Gebruikersnaam collega", "en": "Colleague's user name"},
    "dialog.transfer_none": {
        "nl": "Geen andere collega aangemeld; typ een gebruikersnaam.",
        "en": "No other colleague signed in; type a user name.",
    },
    "dialog.block": {
        "nl": "Chatter {nickname} blokkeren (gesprek wordt afgesloten)",
        "en": "Block chatter {nickname} (the chat will be ended)",
    },
    "dialog.block_hours": {"nl": "uur (1-720)", "en": "hours (1-720)"},
    "dialog.block_reason": {"nl": "Reden (voor het auditlog)", "en": "Reason (for the audit log)"},
    "dialog.block_bad": {
        "nl": "Geef 1 tot 720 uur en een reden.",
        "en": "Give 1 to 720 hours and a reason.",
    },
    "dialog.block_keys": {
        "nl": "Tab: volgend veld · ctrl+y: blokkeren · Esc: annuleren",
        "en": "Tab: next field · ctrl+y: block · Esc: cancel",
    },
    "dialog.canned_filter": {
        "nl": "Typ om te filteren, een cijfer kiest",
        "en": "Type to filter, a digit picks",
    },
    "dialog.canned_keys": {
        "nl": "cijfer/Enter: in het invoerveld (niet verzonden) · Esc: terug",
        "en": "digit/Enter: into the input (not sent) · Esc: back",
    },
    "dialog.block_scope": {
        "nl": (
            "Een blokkering geldt voor iedereen achter dit netwerkadres, bijvoorbeeld een "
            "hele school of een mobiel netwerk."
        ),
        "en": (
            "A block covers everyone behind this network address, for example a whole "
            "school or a mobile network."
        ),
    },
    "dialog.block_hours_label": {"nl": "Duur in uur (1-720)", "en": "Duration in hours (1-720)"},
    "dialog.block_reason_label": {"nl": "Reden", "en": "Reason"},
    "dialog.transfer_note": {
        "nl": "Notitie voor {name} (optioneel; ziet die als eerste)",
        "en": "Note for {name} (optional; shown to them first)",
    },
    "dialog.transfer_note_hint": {"nl": "Overdrachtsnotitie", "en": "Handover note"},
    "dialog.transfer_note_keys": {
        "nl": "Enter: doorgeven · Esc: annuleren",
        "en": "Enter: transfer · Esc: cancel",
    },
    "dialog.staff_row": {
        "nl": "{name} ({user}) · {status} · {chats}",
        "en": "{name} ({user}) · {status} · {chats}",
    },
    "dialog.chats_one": {"nl": "1 gesprek", "en": "1 chat"},
    "dialog.chats_many": {"nl": "{n} gesprekken", "en": "{n} chats"},
    "dialog.canned": {"nl": "Standaardantwoord kiezen", "en": "Choose a canned reply"},
    "dialog.themes_keys": {
        "nl": "Spatie kiest of schrapt · Enter bewaart (het eerste is het hoofdthema)"
        " · Esc annuleert",
        "en": "Space marks or unmarks · Enter keeps (the first is the main theme) · Esc cancels",
    },
    "dialog.goto": {"nl": "Naar gesprek 1-9 (cijfer)", "en": "Go to chat 1-9 (digit)"},
    # help
    "help.title": {"nl": "Toetsen", "en": "Keys"},
    "help.close": {"nl": "Esc of F1: sluiten", "en": "Esc or F1: close"},
    "help.demo": {"nl": "Demo", "en": "Demo"},
    "help.input": {
        "nl": "In het invoerveld: Enter verzendt, {newline} begint een nieuwe regel.",
        "en": "In the input: Enter sends, {newline} starts a new line.",
    },
    # key descriptions (binding ids)
    "key.help": {"nl": "hulp: alle toetsen", "en": "help: every key"},
    "key.accept": {"nl": "gekozen gesprek aannemen", "en": "accept the selected chat"},
    "key.accept_next": {"nl": "volgende gesprek aannemen", "en": "accept the next chat"},
    "key.canned": {"nl": "standaardantwoorden", "en": "canned replies"},
    "key.availability": {"nl": "beschikbaar / afwezig", "en": "available / away"},
    "key.transfer": {"nl": "gesprek doorgeven", "en": "transfer the chat"},
    "key.block": {"nl": "chatter blokkeren", "en": "block the chatter"},
    "key.end": {"nl": "gesprek afsluiten", "en": "end the chat"},
    "key.activity": {"nl": "volgend tabblad met activiteit", "en": "next tab with activity"},
    "key.quit": {"nl": "stoppen", "en": "quit"},
    "key.next_tab": {"nl": "volgend tabblad", "en": "next tab"},
    "key.prev_tab": {"nl": "vorig tabblad", "en": "previous tab"},
    "key.goto_tab": {"nl": "naar tabblad 1-9 (daarna cijfer)", "en": "go to tab 1-9 (then digit)"},
    "key.scroll_up": {
        "nl": "gesprek een scherm terug lezen (invoer blijft staan)",
        "en": "read the chat one screen back (the draft stays)",
    },
    "key.scroll_down": {"nl": "gesprek een scherm verder", "en": "chat one screen on"},
    "key.to_start": {
        "nl": "naar het begin van het gesprek (haalt oudere berichten op)",
        "en": "to the start of the chat (fetches older messages)",
    },
    "key.to_end": {"nl": "naar het nieuwste bericht", "en": "to the newest message"},
    "key.to_end_empty": {
        "nl": "naar het nieuwste bericht (als het invoerveld leeg is)",
        "en": "to the newest message (when the input is empty)",
    },
    "key.search": {"nl": "zoeken in het gesprek", "en": "search the chat"},
    "key.dossier": {"nl": "dossiers en verzoeken", "en": "dossiers and rights requests"},
    "key.queue": {"nl": "naar de wachtrij", "en": "focus the queue"},
    "key.input": {"nl": "naar het invoerveld", "en": "focus the input"},
    "key.newline": {"nl": "nieuwe regel in het bericht", "en": "new line in the message"},
    "key.send": {"nl": "bericht verzenden", "en": "send the message"},
    "key.short.help": {"nl": "hulp", "en": "help"},
    "key.short.accept": {"nl": "aannemen", "en": "accept"},
    "key.short.accept_next": {"nl": "volgende", "en": "next"},
    "key.short.canned": {"nl": "antwoorden", "en": "replies"},
    "key.short.availability": {"nl": "status", "en": "status"},
    "key.short.transfer": {"nl": "doorgeven", "en": "transfer"},
    "key.short.block": {"nl": "blokkeren", "en": "block"},
    "key.short.end": {"nl": "afsluiten", "en": "end"},
    "key.short.activity": {"nl": "activiteit", "en": "activity"},
    "key.short.quit": {"nl": "stoppen", "en": "quit"},
    # canned replies (defaults; settings.canned overrides by id)
    "canned.emergency": {
        "nl": (
            "Als je nu in gevaar bent, bel dan meteen 101 (politie). Voor dringende medische "
            "hulp bel je 112. Wij zijn geen nooddienst, maar we blijven hier met je praten."
        ),
        "en": (
            "If you are in danger right now, call 101 (police) at once. For urgent medical "
            "help call 112. We are not an emergency service, but we will keep talking with you."
        ),
    },
    "canned.alternatives": {
        "nl": (
            "Je kan ons ook bellen op 1712 (ma-vr 9-18 uur, gratis en anoniem) of mailen via "
            "1712.be; we antwoorden binnen 2 werkdagen."
        ),
        "en": (
            "You can also call us on 1712 (Mon-Fri 9-18, free and anonymous) or mail us via "
            "1712.be; we answer within 2 working days."
        ),
    },
    "canned.hours": {
        "nl": (
            "De chat is open van maandag tot donderdag, van 13 tot 17 uur en van 18 tot 22 uur."
        ),
        "en": "The chat is open Monday to Thursday, 13:00-17:00 and 18:00-22:00.",
    },
    "canned.welcome": {
        "nl": "Hallo, je spreekt met een hulpverlener van 1712. Waarover wil je praten?",
        "en": "Hello, you are talking with a 1712 counsellor. What would you like to talk about?",
    },
    "canned.closing": {
        "nl": (
            "Dank je om ons te contacteren. Je mag altijd opnieuw chatten, bellen of mailen. "
            "Zorg goed voor jezelf."
        ),
        "en": (
            "Thank you for contacting us. You can always chat, call or mail again. "
            "Take good care of yourself."
        ),
    },
}

# Default canned replies, in the order the picker shows them: id -> text key.
CANNED: tuple[tuple[str, str], ...] = (
    ("emergency", "canned.emergency"),
    ("alternatives", "canned.alternatives"),
    ("hours", "canned.hours"),
    ("welcome", "canned.welcome"),
    ("closing", "canned.closing"),
)
