"""Bundled sample briefs, opened on first launch when the library is empty."""
