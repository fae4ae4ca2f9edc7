"""Textual internals the console needs, where Textual 8 has no public API for it."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Size
from textual.scroll_view import ScrollView


def key_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """A node's own bindings by key, to read or to replace (e.g. translated descriptions).

    Textual keeps them in the private `_bindings` BindingsMap; there is no public way to
    change a binding's description on an instance."""
    bindings: dict[str, list[Binding]] = node._bindings.key_to_bindings
    return bindings


def scroll_update(view: ScrollView, virtual_size: Size) -> None:
    """Update the scrollbars for a new virtual size without a screen-wide layout, as
    `Widget._size_updated(layout=False)` does (assigning `virtual_size` asks for a layout)."""
    view._scroll_update(virtual_size)
