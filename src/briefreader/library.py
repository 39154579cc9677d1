"""Moved to :mod:`briefreader.store`; this module re-exports its names until every
import names the package."""

from briefreader.store import *  # noqa: F403
from briefreader.store import __all__ as _store_names
from briefreader.store.library import RELATED_SYNC_MAX
from briefreader.store.related_index import RELATED_CATCH_UP_MAX
from briefreader.store.schema import APPLICATION_ID, MIGRATIONS
from briefreader.store.schema import split_sql as _split_sql

__all__ = [
    *_store_names,
    "APPLICATION_ID",
    "MIGRATIONS",
    "RELATED_CATCH_UP_MAX",
    "RELATED_SYNC_MAX",
    "_split_sql",
]
