"""The reading app (Textual).  Entry point: :func:`briefreader.tui.app.run_app`."""
