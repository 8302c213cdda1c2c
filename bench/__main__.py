"""Run the benchmarks from the project folder: all of them, or one by name.

    .venv/bin/python -m bench                     foundation, registry data, then search
    .venv/bin/python -m bench search [--agencies N] [--requests N]
    .venv/bin/python -m bench foundation
    .venv/bin/python -m bench registry_data [--agencies N]
    .venv/bin/python -m bench ratings [--agencies N] [--reviews N] [--big N]

BENCH_DATABASE_URL points the registry data and search benchmarks at a throwaway
PostgreSQL database (its tables are dropped); without it they use a scratch SQLite file.
"""

import sys

from bench import foundation, ratings, registry_data, search

BENCHMARKS = {
    "foundation": foundation.main,
    "registry_data": registry_data.main,
    "search": search.main,
    "ratings": ratings.main,
}


def run(name: str, args: list[str]) -> None:
    """One benchmark with its own command-line arguments."""
    if name in ("search", "ratings"):
        BENCHMARKS[name](args)
        return
    sys.argv = [f"bench {name}", *args]  # the older benchmarks read sys.argv themselves
    BENCHMARKS[name]()


def main() -> None:
    args = sys.argv[1:]
    if not args:
        for name in BENCHMARKS:
            run(name, [])
        return
    if args[0] not in BENCHMARKS:
        raise SystemExit(__doc__)
    run(args[0], args[1:])


if __name__ == "__main__":
    main()
