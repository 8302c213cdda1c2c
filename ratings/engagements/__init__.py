"""Engagements with time limits and extensions, fair selection draws, and reviews.

models.py holds the rows; services.py the engagement lifecycle, draws.py fair selection,
reviews.py reviews and replies; queries.py the reads pages, the rating engine and the
supervision dashboard share.
"""
