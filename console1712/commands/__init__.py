"""One module per command of the command line; each has `run(args, settings) -> int`."""


class UserError(Exception):
    """A mistake of the user's: printed as one line on stderr, exit status 1."""
