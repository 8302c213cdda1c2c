"""Run the benchmarks from the project folder: all of them, or one by name.

    .venv/bin/python -m bench                     foundation, registry data, then search
    .venv/bin/python -m bench search [--agencies N] [--requests N]
    .venv/bin/python -m bench foundation
    .venv/bin/python -m bench registry_data [--agencies N]
    .venv/bin/python -m bench ratings [--agencies N] [--reviews N] [--big N]
    .venv/bin/python -m bench soak [--database sqlite|postgresql] [--clients N] [--seconds S]
                                   [--servers 1|2] [--recompute] ...  (see --help; not run
                                   with the benchmarks, `make soak` runs it)

BENCH_DATABASE_URL points the registry data and search benchmarks at a throwaway
PostgreSQL database (its tables are dropped); without it they use a scratch SQLite file.
"""

import sys

from bench import foundation, ratings, registry_data, search, soak

BENCHMARKS = {
    "foundation": foundation.main,
    "registry_data": registry_data.main,
    "search": search.main,
    "ratings": ratings.main,
}
# Tools run only by name: the soak starts servers and checks integrity, it measures no ratio.
TOOLS = {"soak": soak.main}


def run(name: str, args: list[str]) -> None:
    """One benchmark with its own command-line arguments."""
    if name in TOOLS:
        TOOLS[name](args)
        return
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
    if args[0] not in BENCHMARKS and args[0] not in TOOLS:
        raise SystemExit(__doc__)
    run(args[0], args[1:])


if __name__ == "__main__":
    main()
