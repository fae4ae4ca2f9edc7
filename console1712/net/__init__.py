"""Networking: protocol v1 frames (protocol.py) and the relay server (relay.py)."""
