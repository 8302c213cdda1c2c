"""Blacklist cases with due process, credit repair and the public list. Depends on
`registry` and `ratings`."""
