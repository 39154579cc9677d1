"""The reading app (Textual).  Entry point: :func:`briefreader.tui.app.run_app`."""

from briefreader.tui import textual_speedups

# Before any app draws a line: Textual's strips make their caches on first use
# (textual_speedups: about a quarter of a key's time on the UI thread).
textual_speedups.apply()
