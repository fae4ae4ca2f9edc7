"""What the relay keeps in memory about a chat that has not ended: the types, from the
switchboard (which owns them)."""

from __future__ import annotations

from console1712.relay.switchboard import ChatState, LiveChat, message_entry

__all__ = ["ChatState", "LiveChat", "message_entry"]
