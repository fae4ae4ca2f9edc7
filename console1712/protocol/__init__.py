"""Protocol v1: the frames relay and clients exchange."""
