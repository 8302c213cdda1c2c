"""Electronic supervision (电子监察): every deadline with the person accountable, escalation of
work that stays overdue, and supervisors' evaluations of how regulators handled complaints.

A face: it reads deadlines from registry, ratings and blacklist alike, so it lives above them.
"""
