"""Reading raw mail: decoding, text choice, attachments, and flags instead of crashes."""

from __future__ import annotations

from email.message import EmailMessage

from console1712.domain.mailparse import (
    from_json,
    html_to_text,
    message_ids,
    parse_mail,
    strip_tags,
    to_json,
)


def test_plain_mail_headers_and_text() -> None:
    raw = (
        b"From: Sam Peeters <Writer@Example.org>\r\nTo: hulp@1712.local\r\n"
        b"Subject: Hulp\r\nDate: Thu, 26 Nov 2026 15:00:00 +0100\r\n"
        b"Message-ID: <abc@example.org>\r\n\r\nHallo,\r\nik heb hulp nodig.\r\n"
    )
    p = parse_mail(raw)
    assert p.from_addr == "writer@example.org"
    assert p.from_name == "Sam Peeters"
    assert p.subject == "Hulp"
    assert p.message_id == "abc@example.org"
    assert p.date is not None and p.date.hour == 14
    assert p.text == "Hallo,\nik heb hulp nodig.\n"
    assert p.flags == set()


def test_multipart_alternative_prefers_plain_and_lists_attachments() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "x"
    msg.set_content("platte tekst")
    msg.add_alternative("<p>html <b>tekst</b></p>", subtype="html")
    msg.add_attachment(
        b"%PDF-1.4 secret", maintype="application", subtype="pdf", filename="verslag.pdf"
    )
    p = parse_mail(msg.as_bytes())
    assert p.text.strip() == "platte tekst"
    assert not p.html_only
    assert [(a.name, a.type, a.size) for a in p.attachments] == [
        ("verslag.pdf", "application/pdf", 15)
    ]


def test_html_only_becomes_text_without_scripts() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Eerste&nbsp;alinea</p>"
        "<script>alert(1)</script><ul><li>een</li><li>twee</li></ul>"
        '<a href="https://evil.example/x">klik</a></body></html>',
        subtype="html",
    )
    p = parse_mail(msg.as_bytes())
    assert p.html_only
    assert p.text.startswith("Eerste alinea\n\n- een\n- twee\n")
    assert "alert" not in p.text and "color" not in p.text
    assert "klik <https://evil.example/x>" in p.text


def test_iso_8859_1_body_and_rfc2047_headers() -> None:
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9e_Dupr=E9?= <renee@example.be>\r\n"
        b"Subject: =?utf-8?b?Q2Fmw6kgZW4gZ2V3ZWxk?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nIk ben bang voor m\xe9n vader.\r\n"
    )
    p = parse_mail(raw)
    assert p.from_name == "Renée Dupré"
    assert p.subject == "Café en geweld"
    assert "ményader" not in p.text and "mén vader" in p.text
    assert p.flags == {"no_message_id"}


def test_lying_and_unknown_charsets_are_flagged_not_fatal() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: caf\xe9 zonder codering\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\ncaf\xe9\r\n"
    )
    p = parse_mail(raw)
    assert p.subject == "café zonder codering"
    assert p.text.strip() == "café"
    assert "bad_charset" in p.flags
    raw2 = b"From: a@example.org\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nhallo\r\n"
    p2 = parse_mail(raw2)
    assert p2.text.strip() == "hallo"
    assert "unknown_charset" in p2.flags


def test_broken_mime_keeps_what_can_be_read() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: kapot\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nleesbaar deel\r\n"
        b"--XYZ\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@\r\n"
    )  # no closing boundary
    p = parse_mail(raw)
    assert "leesbaar deel" in p.text
    assert "broken_mime" in p.flags
    assert p.subject == "kapot"


def test_garbage_missing_and_huge_headers() -> None:
    assert "no_from" in parse_mail(b"").flags
    p = parse_mail(b"\x00\xff\xfe garbage without headers")
    assert p.from_addr == ""
    assert "no_from" in p.flags
    huge = b"From: a@example.org\r\nSubject: " + b"x" * 100_000 + b"\r\n\r\nbody\r\n"
    p = parse_mail(huge)
    assert "huge_header" in p.flags
    assert len(p.subject) == 2000
    assert p.text.strip() == "body"


def test_control_characters_and_escapes_are_stripped() -> None:
    raw = (
        b"From: =?utf-8?q?Evil=1B]0;title=07?= <e@example.org>\r\n"
        b"Subject: =?utf-8?q?a=1B[2Jb?=\r\n\r\nx\x1b[2Jy\x07z\r\n"
    )
    p = parse_mail(raw)
    assert "\x1b" not in p.subject + p.from_name + p.text
    assert "\x07" not in p.from_name + p.text
    assert p.subject == "a[2Jb"


def test_message_ids_and_references() -> None:
    raw = (
        b"From: a@example.org\r\nMessage-ID: <m3@x>\r\nIn-Reply-To: <m2@x>\r\n"
        b"References: <m1@x>\r\n  <m2@x>\r\n\r\nhoi\r\n"
    )
    p = parse_mail(raw)
    assert p.message_id == "m3@x"
    assert p.in_reply_to == ["m2@x"]
    assert p.references == ["m1@x", "m2@x"]
    assert message_ids("junk <a@b> more <c@d>") == ["a@b", "c@d"]


def test_html_to_text_keeps_pre_and_breaks() -> None:
    assert html_to_text("a<br>b<pre>  x\n  y</pre>") == "a\nb\nx\ny"


def test_strip_tags_reads_html_without_the_parser() -> None:
    html = "<p>Hallo &amp; <b>dag</b></p><script>x<y</script>ok<br>verder <x"
    assert strip_tags(html) == "Hallo & dag\nok\nverder <x"
    # Hostile input is kept as text, not lost: "<a" opens no tag without a '>'.
    assert strip_tags("<a" * 1000) == "<a" * 1000


def test_html_over_the_cap_is_listed_and_stripped() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n"
        b"<div>Hallo <i>daar</i></div>"
    )
    parsed = parse_mail(raw, html_max_chars=10)
    assert parsed.text == "Hallo daar" and parsed.html_only
    assert "html_not_parsed" in parsed.flags
    assert [a.as_dict() for a in parsed.attachments] == [
        {"name": "bericht.html", "type": "text/html", "size": 28}
    ]
    assert parse_mail(raw).flags.isdisjoint({"html_not_parsed"})
    assert from_json(to_json(parsed)) == parsed
