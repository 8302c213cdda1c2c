"""Performance harness: `python -m bench` runs every benchmark; see bench/__main__.py."""
