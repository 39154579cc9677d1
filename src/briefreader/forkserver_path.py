"""The first module the fork server imports (:data:`briefreader.workers.FORKSERVER_PRELOAD`).

multiprocessing starts its fork server as ``python -c …``, which puts the working
directory first on the import path; the server then imports its preloaded modules
before anything sets the path as the parent's.  A ``queue.py`` (or ``json.py``,
``html.py`` …) in the folder the app was started from would be imported instead of
the standard library's, run there, and break every refresh.  Importing this module
first takes that entry off; the processes forked from the server get the parent's
path from multiprocessing, as spawned ones do.

Kept to ``sys`` only: nothing it imports may come from the working directory.
"""

import sys

if sys.path and sys.path[0] == "":  # (``-c``'s entry: the working directory)
    del sys.path[0]
