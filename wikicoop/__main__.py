"""``python -m wikicoop``: the ``wikicoop`` command (the index's catch-up process is
started this way: :data:`wikicoop.server.CATCH_UP_COMMAND`)."""

from wikicoop.cli import main

main()
