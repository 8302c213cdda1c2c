"""Signals the complaint workflow sends, for the layers above `ratings` to react to.

`ratings` never imports `blacklist` (registry ← ratings ← blacklist); the blacklist's
automatic rules still need to run when a complaint is concluded, so the conclusion
announces itself and the blacklist connects to it when the app is built.
"""

from blinker import Namespace

signals = Namespace()

# Sent by conclude_complaint inside the caller's transaction, after the conclusion (and any
# commitment breach) is written: sender is the app, `complaint` the concluded complaint.
# Receivers add rows to the same session; the caller's commit or rollback covers them.
complaint_concluded = signals.signal("complaint-concluded")
