"""Blacklist cases with due process, credit repair and the public list. Depends on
`registry` and `ratings`."""


def init_app(app) -> None:
    """Run the automatic rules whenever this app's complaint workflow concludes a complaint.

    `ratings` cannot call the blacklist (it may not import it), so it sends
    complaint_concluded and the blacklist listens, for this app only.
    """
    from blacklist.rules import on_complaint_concluded
    from ratings.complaints.signals import complaint_concluded

    complaint_concluded.connect(on_complaint_concluded, sender=app)
