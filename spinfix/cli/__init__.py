"""The ``spinfix`` command line: a thin layer over :mod:`spinfix.pipeline`, one file per command.

    spinfix detect article.txt              # human report, spun phrases highlighted
    spinfix detect --format jsonl *.txt     # one JSON document per line, per file
    cat article.txt | spinfix detect -      # '-' reads standard input
    spinfix restore spun.txt -o fixed.txt   # the text with the original wording put back
    spinfix restore --format diff spun.txt  # the text with each edit shown as old -> new
    spinfix batch corpus/ --out job/        # a large input in shards, resumable (--resume)
    spinfix report job/ -o report.html      # the job as one HTML page (detect/restore/compare: --format html)

Exit codes (every command):

    0  no spun text found
    1  spun text found in at least one input (restore: and the confident edits applied)
    2  error: an unreadable input, a bad option, missing models, an output that cannot be
       written, or an internal error. If some of detect's inputs cannot be read the others are
       still checked and reported, but the exit code is 2: an error outranks a finding, so a
       script never mistakes a partial run for a complete one.
  130  interrupted (Ctrl-C): detect has written the report of every file it finished (a JSON
       array closed over them) and says how many; restore has written nothing.

Results go to stdout (restore: or to -o OUT); progress, errors (``spinfix: error: <message>``)
and logs go to stderr. New commands go in a module of their own that registers on
:data:`spinfix.cli.app.app` (imported in spinfix/cli/__init__.py), reuse
:func:`spinfix.cli.options.load_models`, :mod:`spinfix.io` for reading, writing and progress,
and return their exit code by raising ``typer.Exit``.
"""
from spinfix.cli import batch, compare, detect, index, report, restore, serve  # noqa: F401  (registers the commands on the app)
from spinfix.cli.app import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_SPUN,
    app,
    main,
    run,
)

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_SPUN", "app", "main", "run"]
