"""The soak test: `python -m bench soak` (or `make soak`).

N clients (default 50) sign in as distinct accounts and do real work through the HTML
forms for a set time, each keeping a ledger of what the server acknowledged; then the
servers stop and the ledger is compared with the database (lost, phantom, duplicate and
half-saved writes, double decisions), `flask audit verify` and `flask ratings recompute
--check` run, and pairs of conflicting decisions race behind a barrier. It prints a table
and exits 1 when a target of issue 15 is missed.

    setup.py    the scratch instance, its data and accounts, the gunicorn servers
    pages.py    what a client reads on a page: forms, flashes, errors, links
    clients.py  one user's HTTP session, timings and ledger
    work.py     what each role does
    races.py    conflicting decisions released together
    checks.py   the ledger against the database
    report.py   figures, targets and the table
    run.py      the whole run, and its options
"""

from bench.soak.run import main

__all__ = ["main"]
