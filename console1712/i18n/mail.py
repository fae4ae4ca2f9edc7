"""Texts of the mail helpline: the console's Mail screen and mail errors."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "key.mail": {"nl": "e-mail: de mailgesprekken", "en": "mail: the mail threads"},
    "key.short.mail": {"nl": "e-mail", "en": "mail"},
    "mail.title": {"nl": "E-mail", "en": "Mail"},
    "mail.filter.open": {"nl": "open", "en": "open"},
    "mail.filter.overdue": {"nl": "over tijd", "en": "overdue"},
    "mail.filter.answered": {"nl": "beantwoord", "en": "answered"},
    "mail.filter.all": {"nl": "alle", "en": "all"},
    "mail.heading.one": {
        "nl": "E-mail ({filter}): {n} mailgesprek",
        "en": "Mail ({filter}): {n} conversation",
    },
    "mail.heading.other": {
        "nl": "E-mail ({filter}): {n} mailgesprekken",
        "en": "Mail ({filter}): {n} conversations",
    },
    "mail.link_label": {
        "nl": "het mailgesprek van {sender} ({subject})",
        "en": "the mail conversation from {sender} ({subject})",
    },
    "mail.col.due": {"nl": "Uiterlijk", "en": "Due"},
    "mail.col.received": {"nl": "Ontvangen", "en": "Received"},
    "mail.col.sender": {"nl": "Afzender", "en": "From"},
    "mail.col.subject": {"nl": "Onderwerp", "en": "Subject"},
    "mail.none": {"nl": "Geen mails in deze lijst.", "en": "No mail in this list."},
    "mail.pick": {
        "nl": "Kies een mailgesprek met de pijltjes en Enter.",
        "en": "Choose a thread with the arrows and Enter.",
    },
    "mail.status.open": {"nl": "open", "en": "open"},
    "mail.status.answered": {"nl": "beantwoord", "en": "answered"},
    "mail.status.forgotten": {"nl": "niet bewaard", "en": "not retained"},
    "mail.overdue": {"nl": "over tijd", "en": "overdue"},
    "mail.due_today": {"nl": "vandaag", "en": "today"},
    "mail.no_subject": {"nl": "(geen onderwerp)", "en": "(no subject)"},
    "mail.forgotten_row": {"nl": "(inhoud niet bewaard)", "en": "(content not retained)"},
    "mail.from": {"nl": "Van", "en": "From"},
    "mail.to": {"nl": "Aan", "en": "To"},
    "mail.date": {"nl": "Datum", "en": "Date"},
    "mail.subject": {"nl": "Onderwerp", "en": "Subject"},
    "mail.due": {"nl": "Te beantwoorden tegen", "en": "Due"},
    "mail.sent_by": {"nl": "Verstuurd door {who}", "en": "Sent by {who}"},
    "mail.attachments": {
        "nl": "Bijlagen (niet geopend):",
        "en": "Attachments (never opened):",
    },
    "mail.flags": {
        "nl": "Niet alles van deze mail was leesbaar: {flags}",
        "en": "Not all of this mail could be read: {flags}",
    },
    "mail.truncated": {
        "nl": "(tekst ingekort: te lang om hier te tonen)",
        "en": "(text cut: too long to show here)",
    },
    "mail.html_only": {
        "nl": "(alleen HTML: omgezet naar tekst)",
        "en": "(HTML only: turned into text)",
    },
    "mail.forgotten_view": {
        "nl": "De afzender vroeg deze mail niet te bewaren: de inhoud is gewist.",
        "en": "The writer asked us not to keep this mail: its content is deleted.",
    },
    "mail.reply_placeholder": {
        "nl": "Je antwoord (ctrl+s: versturen, Esc: terug naar de lijst)",
        "en": "Your answer (ctrl+s: send, Esc: back to the list)",
    },
    "mail.confirm_send": {
        "nl": "Dit antwoord versturen naar {to}?",
        "en": "Send this answer to {to}?",
    },
    "mail.confirm_forget": {
        "nl": "Inhoud van dit mailgesprek nu wissen (niet bewaren)? Dit kan niet ongedaan.",
        "en": "Delete this thread's content now (do not retain)? This cannot be undone.",
    },
    "mail.confirm_answered": {
        "nl": "Dit mailgesprek als beantwoord markeren zonder te antwoorden?",
        "en": "Mark this thread answered without replying?",
    },
    "mail.draft_kept": {
        "nl": "Je concept-antwoord bij het vorige mailgesprek is bewaard.",
        "en": "Your draft reply to the previous mail conversation is kept.",
    },
    "mail.drafts_kept": {
        "nl": "Concepten bewaard tot je ze verstuurt of leegmaakt: {n}.",
        "en": "Drafts kept until you send or empty them: {n}.",
    },
    "mail.sent.smarthost": {"nl": "Antwoord verstuurd.", "en": "Answer sent."},
    "mail.sent.outbox": {
        "nl": "Antwoord in de uitbox gezet (verstuurd).",
        "en": "Answer put in the outbox (sent).",
    },
    "mail.claimed": {"nl": "Je neemt dit mailgesprek op je.", "en": "This thread is yours now."},
    "mail.answered": {"nl": "Gemarkeerd als beantwoord.", "en": "Marked answered."},
    "mail.forgotten": {"nl": "Inhoud gewist.", "en": "Content deleted."},
    "mail.empty_reply": {"nl": "Het antwoord is leeg.", "en": "The answer is empty."},
    "mail.no_thread": {"nl": "Open eerst een mailgesprek.", "en": "Open a thread first."},
    "mail.offline": {
        "nl": "Geen verbinding met de relay.",
        "en": "No connection to the relay.",
    },
    "mail.error.not_found": {
        "nl": "Dit mailgesprek bestaat niet (meer) voor jou.",
        "en": "This thread does not exist (any more) for you.",
    },
    "mail.error.taken": {
        "nl": "Een collega ({claimed_by}) behandelt dit mailgesprek al.",
        "en": "A colleague ({claimed_by}) already handles this thread.",
    },
    "mail.error.forgotten": {
        "nl": "De inhoud van dit mailgesprek is gewist.",
        "en": "This thread's content is deleted.",
    },
    "mail.error.send_failed": {
        "nl": "Versturen mislukt; je tekst staat er nog. Probeer later opnieuw.",
        "en": "Sending failed; your text is still there. Try again later.",
    },
    "mail.error.send_failed_tls": {
        "nl": "Versturen mislukt: het certificaat van de mailserver is niet te vertrouwen."
        " Verwittig de beheerder; je tekst staat er nog.",
        "en": "Sending failed: the mail server's certificate cannot be trusted."
        " Tell the administrator; your text is still there.",
    },
    "mail.error.no_address": {
        "nl": "De afzender liet geen adres achter om op te antwoorden.",
        "en": "The writer left no address to answer.",
    },
    "mail.error.forbidden": {
        "nl": "Beheerders zien geen mailinhoud.",
        "en": "Admins see no mail content.",
    },
    "mail.flag.broken_mime": {"nl": "kapotte opbouw", "en": "broken structure"},
    "mail.flag.bad_charset": {"nl": "foute tekenset", "en": "bad character set"},
    "mail.flag.unknown_charset": {"nl": "onbekende tekenset", "en": "unknown character set"},
    "mail.flag.bad_header": {"nl": "onleesbare kop", "en": "unreadable header"},
    "mail.flag.huge_header": {"nl": "te lange kop (ingekort)", "en": "header too long (cut)"},
    "mail.flag.no_from": {"nl": "geen afzender", "en": "no sender"},
    "mail.flag.no_text": {"nl": "geen tekst", "en": "no text"},
    "mail.flag.truncated": {"nl": "tekst ingekort", "en": "text cut"},
    "mail.flag.too_many_parts": {"nl": "te veel delen", "en": "too many parts"},
    "mail.flag.unreadable": {"nl": "deels onleesbaar", "en": "partly unreadable"},
    "mail.flag.html_not_parsed": {
        "nl": "HTML niet gelezen (tags weggelaten, als bijlage)",
        "en": "HTML not read (tags left out, listed as attachment)",
    },
    "mail.flag.parse_timeout": {
        "nl": "lezen duurde te lang (eenvoudig gelezen)",
        "en": "reading took too long (read simply)",
    },
    "mail.key.open": {"nl": "openen", "en": "open"},
    "mail.key.filter": {"nl": "filter", "en": "filter"},
    "mail.key.claim": {"nl": "op mij", "en": "claim"},
    "mail.key.reply": {"nl": "antwoorden", "en": "reply"},
    "mail.key.send": {"nl": "versturen", "en": "send"},
    "mail.key.answered": {"nl": "beantwoord", "en": "answered"},
    "mail.key.more": {"nl": "meer…", "en": "more…"},
    "mail.menu.title": {"nl": "E-mail", "en": "Mail"},
    "mail.menu.refresh": {"nl": "Lijst vernieuwen", "en": "Refresh the list"},
    "mail.menu.forget": {
        "nl": "Inhoud van dit mailgesprek niet bewaren (op vraag van de afzender)",
        "en": "Do not retain this conversation's content (at the writer's request)",
    },
    "mail.key.close": {"nl": "terug", "en": "back"},
    "mail.key.dossier": {"nl": "dossier", "en": "dossier"},
    "mail.dossier_pool": {
        "nl": "Zet het mailgesprek eerst op jouw naam (F3): alleen een mailgesprek van je team"
        " kan aan een dossier gekoppeld worden.",
        "en": "Claim the thread first (F3): only a thread of your team can be linked to a dossier.",
    },
    "mail.new_in_thread": {
        "nl": "Nieuwe mail in dit mailgesprek: Enter in de lijst toont hem.",
        "en": "New mail in this thread: Enter in the list shows it.",
    },
}
