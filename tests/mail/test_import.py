"""`console1712 mail import PATH`: Maildir and mbox through the real command line."""

from __future__ import annotations

import asyncio
import mailbox
from pathlib import Path

import pytest

from console1712.cli import main
from console1712.store import mail as store
from console1712.store.db import Database

from .conftest import plain


def _count(data: Path) -> dict[str, int]:
    async def go() -> dict[str, int]:
        async with await Database.open(data / "console1712.db", data / "console1712.key") as db:
            return await store.counts(db)

    return asyncio.run(go())


def test_import_mbox_then_maildir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    box = mailbox.mbox(tmp_path / "in.mbox")
    box.add(plain(subject="een", msgid="<1@x>").as_bytes())
    box.add(plain(subject="Re: een", msgid="<2@x>", In_Reply_To="<1@x>").as_bytes())
    box.add(b"From: broken@example.org\nContent-Type: multipart/mixed\n\nno boundary at all\n")
    box.close()
    assert main(["mail", "import", str(tmp_path / "in.mbox"), "--data", str(data)]) == 0
    assert (
        "imported 3 mails (0 already present, 1 with unreadable parts)" in capsys.readouterr().out
    )
    assert _count(data) == {"open": 2, "messages": 3}
    # Importing again stores nothing twice (same Message-IDs).
    assert main(["mail", "import", str(tmp_path / "in.mbox"), "--data", str(data)]) == 0
    assert "imported 1 mails (2 already present" in capsys.readouterr().out

    md = mailbox.Maildir(tmp_path / "Maildir", create=True)
    md.add(plain(subject="drie", msgid="<3@x>", sender="c@example.org").as_bytes())
    md.close()
    assert main(["mail", "import", str(tmp_path / "Maildir"), "--data", str(data)]) == 0
    assert _count(data)["messages"] == 5


def test_import_refuses_what_is_not_a_mailbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "folder").mkdir()
    for target in ("notes.txt", "folder", "missing"):
        assert main(["mail", "import", str(tmp_path / target), "--data", str(tmp_path / "d")]) == 1
        assert "console1712:" in capsys.readouterr().err
