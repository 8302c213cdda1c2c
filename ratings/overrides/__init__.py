"""Star overrides: a regulator proposes, a second person approves (DESIGN.md §5)."""
