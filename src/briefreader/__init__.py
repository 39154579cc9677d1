"""briefreader: a terminal news reader that shows every story as a brief."""

__version__ = "0.1.0"
