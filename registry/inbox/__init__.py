"""The in-app inbox: notices to accounts, sent by other packages through inbox.services."""
