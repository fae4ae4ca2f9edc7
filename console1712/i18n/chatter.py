"""Texts of `console1712 chatter`, its scripts and `console1712 demo`."""

TEXTS: dict[str, dict[str, str]] = {
    # chatter: what arrives from the relay
    "chatter.connecting": {
        "nl": "Verbinden met {url} …",
        "en": "Connecting to {url} …",
    },
    "chatter.connect_failed": {
        "nl": "geen verbinding met {url}: {reason}",
        "en": "cannot connect to {url}: {reason}",
    },
    "chatter.welcome_open": {
        "nl": "Welkom bij de chat van 1712. De chat is nu open.",
        "en": "Welcome to the 1712 chat. The chat is open now.",
    },
    "chatter.welcome_closed": {
        "nl": "Welkom bij de chat van 1712. De chat is nu gesloten.",
        "en": "Welcome to the 1712 chat. The chat is closed now.",
    },
    "chatter.next_open": {
        "nl": "De chat gaat weer open op {when}.",
        "en": "The chat opens again on {when}.",
    },
    "chatter.alternatives": {
        "nl": "Andere manieren om hulp te krijgen:",
        "en": "Other ways to get help:",
    },
    "chatter.alternative": {"nl": "  - {label} ({contact})", "en": "  - {label} ({contact})"},
    "chatter.consent": {
        "nl": "Je start het gesprek en geeft toestemming om het te bewaren zoals 1712 beschrijft.",
        "en": "You start the chat and consent to it being kept as 1712 describes.",
    },
    "chatter.hint": {
        "nl": "Typ een bericht en druk op Enter. /leave sluit het gesprek af.",
        "en": "Type a message and press Enter. /leave ends the chat.",
    },
    "chatter.queued": {
        "nl": "Je staat in de wachtrij (plaats {position}). Een hulpverlener komt zo bij je.",
        "en": "You are in the queue (position {position}). A counsellor will be with you soon.",
    },
    "chatter.queue": {
        "nl": "Je plaats in de wachtrij: {position}.",
        "en": "Your place in the queue: {position}.",
    },
    "chatter.joined": {
        "nl": "{counsellor} (hulpverlener) is er nu voor je.",
        "en": "{counsellor} (counsellor) is with you now.",
    },
    "chatter.message": {
        "nl": "[{time}] {counsellor}: {text}",
        "en": "[{time}] {counsellor}: {text}",
    },
    "chatter.typing": {
        "nl": "{counsellor} is aan het typen …",
        "en": "{counsellor} is typing …",
    },
    "chatter.acked": {
        "nl": "  (ontvangen door 1712, bericht {seq})",
        "en": "  (received by 1712, message {seq})",
    },
    "chatter.counsellor": {"nl": "Hulpverlener", "en": "Counsellor"},
    "chatter.ended.chatter": {
        "nl": "Je hebt het gesprek afgesloten. Bedankt en veel sterkte.",
        "en": "You ended the chat. Thank you and take care.",
    },
    "chatter.ended.counsellor": {
        "nl": "De hulpverlener heeft het gesprek afgesloten.",
        "en": "The counsellor ended the chat.",
    },
    "chatter.ended.other": {
        "nl": "Het gesprek is afgelopen.",
        "en": "The chat is over.",
    },
    "chatter.dropped": {
        "nl": "Verbinding verbroken, opnieuw verbinden …",
        "en": "Connection lost, reconnecting …",
    },
    "chatter.resumed": {
        "nl": "Weer verbonden: je gesprek loopt verder.",
        "en": "Reconnected: your chat continues.",
    },
    "chatter.lost": {
        "nl": "Het gesprek kon niet worden hervat. Start gerust een nieuw gesprek.",
        "en": "The chat could not be resumed. Feel free to start a new one.",
    },
    "chatter.closed": {
        "nl": "De verbinding is gesloten.",
        "en": "The connection is closed.",
    },
    "chatter.blocked": {
        "nl": "Je kunt tijdelijk niet chatten (tot {until}).",
        "en": "You cannot chat for now (until {until}).",
    },
    "chatter.rate_limited": {
        "nl": "Je stuurt te snel berichten; je bericht gaat over {seconds} s alsnog mee.",
        "en": "You are sending too fast; your message follows in {seconds} s.",
    },
    "chatter.error": {
        "nl": "De chat antwoordt met een fout: {code} ({detail})",
        "en": "The chat answered with an error: {code} ({detail})",
    },
    "chatter.no_chat": {
        "nl": "Er is geen gesprek gestart.",
        "en": "No chat was started.",
    },
    # scripted flows
    "script.passed": {
        "nl": "script {file}: alle {count} stappen geslaagd",
        "en": "script {file}: all {count} steps passed",
    },
    "script.failed": {
        "nl": "script {file} regel {line}: stap '{step}' mislukt: {reason}",
        "en": "script {file} line {line}: step '{step}' failed: {reason}",
    },
    "script.unreadable": {
        "nl": "script {file} kan niet gelezen worden: {reason}",
        "en": "cannot read script {file}: {reason}",
    },
    "script.syntax": {
        "nl": "script {file} regel {line}: {reason}",
        "en": "script {file} line {line}: {reason}",
    },
    # flows on both sides (`flow`, `counsellor --script`)
    "flow.passed": {
        "nl": "flow geslaagd: alle {count} stappen van {parts} deelnemer(s)",
        "en": "flow passed: all {count} steps of {parts} part(s)",
    },
    "flow.failed": {
        "nl": "flow {file} regel {line} ({side}): stap '{step}' mislukt: {reason}",
        "en": "flow {file} line {line} ({side}): step '{step}' failed: {reason}",
    },
    "flow.crashed": {
        "nl": "flow {file} ({side}): onverwachte fout: {reason}",
        "en": "flow {file} ({side}): unexpected error: {reason}",
    },
    "flow.empty": {
        "nl": "de flow heeft geen stappen",
        "en": "the flow has no steps",
    },
    "flow.relay_with_url": {
        "nl": "{file}: een [relay]-sectie geldt alleen voor een nieuwe relay, niet met --url",
        "en": "{file}: a [relay] section only applies to a fresh relay, not with --url",
    },
    "flow.no_credentials": {
        "nl": "geen wachtwoord en TOTP-geheim voor {name} op standaardinvoer",
        "en": "no password and TOTP secret for {name} on standard input",
    },
    "flow.login_failed": {
        "nl": "{name} kan niet aanmelden: {code}",
        "en": "{name} cannot log in: {code}",
    },
    "counsellor.no_credentials": {
        "nl": "script {file}: wachtwoord (regel 1) en code (regel 2) op standaardinvoer, "
        "of CONSOLE1712_TOTP_SECRET voor de code",
        "en": "script {file}: password (line 1) and code (line 2) on standard input, "
        "or CONSOLE1712_TOTP_SECRET for the code",
    },
    "counsellor.login_failed": {
        "nl": "aanmelden bij {url} mislukt: {code}",
        "en": "login at {url} failed: {code}",
    },
    # demo
    "demo.title": {
        "nl": "console1712 demo: relay op {url} (tijdelijke gegevens in {data})",
        "en": "console1712 demo: relay on {url} (temporary data in {data})",
    },
    "demo.logins": {
        "nl": "Demo-aanmeldingen (de code staat op het aanmeldscherm van de console):",
        "en": "Demo logins (the console's login screen shows the current code):",
    },
    "demo.login": {
        "nl": "  {name:<6} wachtwoord {password:<18} {role}, {alias}, team {team}",
        "en": "  {name:<6} password {password:<18} {role}, {alias}, team {team}",
    },
    "demo.uri": {"nl": "         {uri}", "en": "         {uri}"},
    "demo.chat_url": {
        "nl": "Chat als bezoeker: console1712 chatter --url {url}",
        "en": "Chat as a visitor: console1712 chatter --url {url}",
    },
    "demo.mails": {
        "nl": "{count} voorbeeldmails staan klaar in het mailscherm (ctrl+l).",
        "en": "{count} sample mails are waiting in the mail screen (ctrl+l).",
    },
    "demo.chatters": {
        "nl": "{count} gesimuleerde chatters komen binnen in de eerste minuut.",
        "en": "{count} simulated chatters arrive during the first minute.",
    },
    "demo.counsellors": {
        "nl": "{count} gesimuleerde hulpverlener(s) nemen gesprekken aan en antwoorden.",
        "en": "{count} simulated counsellor(s) accept chats and answer.",
    },
    "demo.chat_page": {
        "nl": "Chatpagina voor bezoekers: {url}",
        "en": "Chat page for visitors: {url}",
    },
    "demo.smtp": {
        "nl": "Mail (SMTP) naar {address}: 127.0.0.1 poort {port}",
        "en": "Mail (SMTP) to {address}: 127.0.0.1 port {port}",
    },
    "demo.log": {
        "nl": "Log van de relay: {path}",
        "en": "The relay's log: {path}",
    },
    "demo.console_url": {
        "nl": "Console: console1712 console --url {url}",
        "en": "Console: console1712 console --url {url}",
    },
    "demo.stop": {
        "nl": "Stoppen met Ctrl-C.",
        "en": "Stop with Ctrl-C.",
    },
    "demo.stopped": {
        "nl": "Demo gestopt; tijdelijke gegevens verwijderd.",
        "en": "Demo stopped; temporary data removed.",
    },
    "demo.no_console": {
        "nl": "de console is in deze versie nog niet beschikbaar ({reason}); gebruik --no-console",
        "en": "the console is not available in this version yet ({reason}); use --no-console",
    },
    "demo.port_in_use": {
        "nl": "poort {port} is al in gebruik",
        "en": "port {port} is already in use",
    },
    "demo.role.counsellor": {"nl": "hulpverlener", "en": "counsellor"},
    "demo.role.supervisor": {"nl": "supervisor", "en": "supervisor"},
    "demo.role.admin": {"nl": "beheerder", "en": "admin"},
    "chatter.requeued": {
        "nl": "Je hulpverlener is weggevallen. Je gesprek blijft bewaard en een andere"
        " hulpverlener neemt het zo over (plaats {position} in de wachtrij).",
        "en": "Your counsellor dropped out. Your chat is kept and another counsellor will"
        " take it over shortly (place {position} in the queue).",
    },
}
