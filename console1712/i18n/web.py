"""Texts of the chatters' web page (console1712/web/), Dutch and English.

The relay formats these with the page's limits and settings ({age_min}, {minutes}, ...)
before it sends them to the page (see `console1712.web.page_data`); what is left in braces
({name}, {position}, {when}, ...) the page fills in itself from what the relay sends.
"""

TEXTS: dict[str, dict[str, str]] = {
    "web.title": {"nl": "1712 chat", "en": "1712 chat"},
    "web.lang_switch": {"nl": "Nederlands", "en": "English"},
    "web.lang_switch_hint": {
        "nl": "Lees deze pagina in het Nederlands",
        "en": "Read this page in English",
    },
    "web.exit": {"nl": "Snel weg", "en": "Quick exit"},
    "web.exit_hint": {
        "nl": "Snel weg: klik op deze knop of druk twee keer snel op Esc. De chat stopt en "
        "je komt op een neutrale website.",
        "en": "Quick exit: click this button or press Esc twice quickly. The chat stops and "
        "you land on a neutral website.",
    },
    "web.noscript": {
        "nl": "Deze chat werkt alleen met JavaScript. Bel 1712 of mail via",
        "en": "This chat only works with JavaScript. Call 1712 or mail via",
    },
    # welcome
    "web.welcome_title": {"nl": "Welkom bij de chat van 1712", "en": "Welcome to the 1712 chat"},
    "web.welcome_intro": {
        "nl": "Heb je vragen over geweld, misbruik of kindermishandeling? Je kunt hier gratis "
        "en anoniem chatten met een hulpverlener. 1712 is geen nooddienst: bij dringend "
        "gevaar bel je 112 (ziekenwagen, brandweer) of 101 (politie).",
        "en": "Do you have questions about violence, abuse or child abuse? Here you can chat "
        "with a counsellor, free and anonymously. 1712 is not an emergency service: in urgent "
        "danger call 112 (ambulance, fire brigade) or 101 (police).",
    },
    "web.hours": {"nl": "Chaturen: {hours}.", "en": "Chat hours: {hours}."},
    "web.hours_always": {"nl": "De chat is altijd open.", "en": "The chat is always open."},
    "web.hours_and": {"nl": "en", "en": "and"},
    "web.hours_to": {"nl": "tot", "en": "to"},
    "web.hours_zone": {"nl": "Belgische tijd", "en": "Belgian time"},
    "web.day.0": {"nl": "maandag", "en": "Monday"},
    "web.day.1": {"nl": "dinsdag", "en": "Tuesday"},
    "web.day.2": {"nl": "woensdag", "en": "Wednesday"},
    "web.day.3": {"nl": "donderdag", "en": "Thursday"},
    "web.day.4": {"nl": "vrijdag", "en": "Friday"},
    "web.day.5": {"nl": "zaterdag", "en": "Saturday"},
    "web.day.6": {"nl": "zondag", "en": "Sunday"},
    "web.connecting": {"nl": "Verbinden…", "en": "Connecting…"},
    "web.open": {
        "nl": "De chat is nu open. Een hulpverlener helpt je zo snel mogelijk.",
        "en": "The chat is open now. A counsellor will help you as soon as possible.",
    },
    "web.closed": {"nl": "De chat is nu gesloten.", "en": "The chat is closed now."},
    "web.closed_next": {
        "nl": "De chat is nu gesloten. Hij gaat weer open op {when}.",
        "en": "The chat is closed now. It opens again on {when}.",
    },
    "web.when": {"nl": "{day} om {time}", "en": "{day} at {time}"},
    # consent
    "web.consent_legend": {"nl": "Wat we bewaren", "en": "What we keep"},
    "web.consent_what": {
        "nl": "Je berichten in dit gesprek, het IP-adres van je toestel en wat je hieronder "
        "invult.",
        "en": "Your messages in this chat, your device's IP address and what you fill in below.",
    },
    "web.consent_how_long": {
        "nl": "We bewaren dat versleuteld en hoogstens {months} maanden. Daarna wissen we het.",
        "en": "We keep it encrypted and for {months} months at most. Then we erase it.",
    },
    "web.consent_anonymous": {
        "nl": "Je naam hoeft niet: je blijft anoniem. Een schuilnaam kiezen mag.",
        "en": "Your name is not needed: you stay anonymous. You may choose a nickname.",
    },
    "web.consent_who": {
        "nl": "Alleen de hulpverleners van 1712 lezen je berichten. Zij hebben beroepsgeheim. "
        "Je IP-adres gebruiken we enkel om misbruik tegen te gaan of in een noodgeval.",
        "en": "Only 1712's counsellors read your messages. They are bound by professional "
        "secrecy. We use your IP address only against abuse or in an emergency.",
    },
    "web.consent_policy": {
        "nl": "Lees de volledige privacyverklaring op www.1712.be",
        "en": "Read the full privacy statement on www.1712.be (in Dutch)",
    },
    "web.consent_label": {
        "nl": "Ik ga akkoord dat 1712 dit gesprek bewaart zoals hierboven staat.",
        "en": "I agree that 1712 keeps this chat as described above.",
    },
    "web.consent_error": {
        "nl": "Vink eerst aan dat je akkoord gaat. Zonder jouw akkoord kunnen we geen gesprek "
        "starten.",
        "en": "First tick that you agree. Without your consent we cannot start a chat.",
    },
    # intake
    "web.intake_legend": {"nl": "Over jou (niet verplicht)", "en": "About you (optional)"},
    "web.intake_hint": {
        "nl": "Dit helpt de hulpverlener. Je mag alles leeg laten.",
        "en": "This helps the counsellor. You may leave everything empty.",
    },
    "web.nickname": {"nl": "Schuilnaam", "en": "Nickname"},
    "web.nickname_placeholder": {"nl": "Anoniem", "en": "Anonymous"},
    "web.age": {"nl": "Leeftijd", "en": "Age"},
    "web.region": {"nl": "Provincie", "en": "Province"},
    "web.region_none": {"nl": "Zeg ik liever niet", "en": "I'd rather not say"},
    "web.gender": {"nl": "Gender", "en": "Gender"},
    "web.start": {"nl": "Start de chat", "en": "Start the chat"},
    "web.age_invalid": {
        "nl": "Vul een leeftijd tussen {age_min} en {age_max} in, of laat het vak leeg.",
        "en": "Fill in an age between {age_min} and {age_max}, or leave the box empty.",
    },
    "web.intake_invalid": {
        "nl": "Controleer wat je invulde: leeftijd tussen {age_min} en {age_max}, schuilnaam "
        "en gender hoogstens {nickname_max} tekens.",
        "en": "Check what you filled in: age between {age_min} and {age_max}, nickname and "
        "gender at most {nickname_max} characters.",
    },
    "web.not_connected": {
        "nl": "Nog geen verbinding. Probeer het zo meteen opnieuw.",
        "en": "Not connected yet. Try again in a moment.",
    },
    # the chat
    "web.chat_title": {"nl": "Je gesprek", "en": "Your chat"},
    "web.transcript": {"nl": "Berichten", "en": "Messages"},
    "web.talking": {"nl": "Je praat met {name}.", "en": "You are talking with {name}."},
    "web.queued_at": {
        "nl": "Je staat in de wachtrij: plaats {position}. Een hulpverlener komt zo snel "
        "mogelijk bij je. Je mag al een bericht schrijven.",
        "en": "You are in the queue: position {position}. A counsellor will be with you as "
        "soon as possible. You may already write a message.",
    },
    "web.queued": {
        "nl": "Je staat in de wachtrij. Een hulpverlener komt zo snel mogelijk bij je.",
        "en": "You are in the queue. A counsellor will be with you as soon as possible.",
    },
    "web.requeued": {
        "nl": "Je hulpverlener kan niet verder met je praten; een andere hulpverlener neemt het"
        " zo over. Je staat vooraan in de wachtrij en je gesprek blijft bewaard.",
        "en": "Your counsellor cannot go on with this chat; another counsellor will take over"
        " soon. You are at the front of the queue and your chat is kept.",
    },
    "web.joined": {"nl": "{name} praat nu met je.", "en": "{name} is talking with you now."},
    "web.counsellor": {"nl": "Hulpverlener", "en": "Counsellor"},
    "web.me": {"nl": "Jij", "en": "You"},
    "web.typing": {"nl": "{name} is aan het typen…", "en": "{name} is typing…"},
    "web.message": {"nl": "Je bericht", "en": "Your message"},
    "web.compose_hint": {
        "nl": "Enter verstuurt, Shift+Enter begint een nieuwe regel.",
        "en": "Enter sends, Shift+Enter starts a new line.",
    },
    "web.send": {"nl": "Versturen", "en": "Send"},
    "web.leave": {"nl": "Gesprek beëindigen", "en": "End the chat"},
    "web.pending": {"nl": "wordt verstuurd…", "en": "sending…"},
    "web.sent": {"nl": "verstuurd", "en": "sent"},
    "web.failed": {
        "nl": "Niet verstuurd. Probeer het opnieuw.",
        "en": "Not sent. Please try again.",
    },
    "web.start_later": {
        "nl": "Vanaf jouw netwerk wachten al een paar chats. Probeer het over {minutes} minuten"
        " opnieuw, of bel gratis 1712.",
        "en": "Several chats are already waiting from your network. Try again in {minutes}"
        " minutes, or call 1712 for free.",
    },
    "web.rate_limited": {
        "nl": "Niet verstuurd: je stuurt te snel. Probeer over {seconds} seconden opnieuw.",
        "en": "Not sent: you are sending too fast. Try again in {seconds} seconds.",
    },
    # connection
    "web.dropped": {
        "nl": "Verbinding verbroken, opnieuw verbinden…",
        "en": "Connection lost, reconnecting…",
    },
    "web.resuming": {"nl": "Je gesprek wordt hervat…", "en": "Resuming your chat…"},
    "web.expired": {
        "nl": "Je vorige gesprek kon niet meer hervat worden: je was langer dan {minutes} "
        "minuten weg of het gesprek was al afgelopen. Je kunt hieronder een nieuw gesprek "
        "starten.",
        "en": "Your previous chat could not be resumed: you were away for more than "
        "{minutes} minutes or the chat had already ended. You can start a new chat below.",
    },
    # leaving and the end
    "web.confirm_title": {
        "nl": "Wil je het gesprek echt beëindigen?",
        "en": "Do you really want to end the chat?",
    },
    "web.confirm_body": {
        "nl": "Je kunt daarna niet meer terug naar dit gesprek.",
        "en": "You cannot return to this chat afterwards.",
    },
    "web.confirm_no": {"nl": "Nee, verder chatten", "en": "No, keep chatting"},
    "web.confirm_yes": {"nl": "Ja, beëindigen", "en": "Yes, end it"},
    "web.ended_title": {"nl": "Het gesprek is afgelopen", "en": "The chat has ended"},
    "web.ended.chatter": {
        "nl": "Je hebt het gesprek beëindigd. Bedankt dat je contact opnam met 1712.",
        "en": "You ended the chat. Thank you for contacting 1712.",
    },
    "web.ended.counsellor": {
        "nl": "De hulpverlener heeft het gesprek beëindigd. Bedankt dat je contact opnam met 1712.",
        "en": "The counsellor ended the chat. Thank you for contacting 1712.",
    },
    "web.ended.timeout": {
        "nl": "Het gesprek is gestopt omdat de verbinding te lang verbroken was. Bedankt dat "
        "je contact opnam met 1712.",
        "en": "The chat stopped because the connection was lost for too long. Thank you for "
        "contacting 1712.",
    },
    "web.ended.other": {
        "nl": "Het gesprek is beëindigd. Bedankt dat je contact opnam met 1712.",
        "en": "The chat has ended. Thank you for contacting 1712.",
    },
    "web.blocked": {
        "nl": "Je kunt tijdelijk niet chatten. Je kunt 1712 wel op een andere manier bereiken.",
        "en": "You cannot chat for now. You can still reach 1712 in another way.",
    },
    "web.blocked_until": {
        "nl": "Je kunt tijdelijk niet chatten (tot {when}). Je kunt 1712 wel op een andere "
        "manier bereiken.",
        "en": "You cannot chat for now (until {when}). You can still reach 1712 in another way.",
    },
    "web.restart": {"nl": "Nieuw gesprek starten", "en": "Start a new chat"},
    "web.alternatives_title": {
        "nl": "Andere manieren om hulp te krijgen",
        "en": "Other ways to get help",
    },
}
