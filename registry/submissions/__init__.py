"""One-time tokens of the forms that create something, so that a POST sent twice (a retry after
a lost response, a double click, two workers at once) creates one thing: the token is recorded
with what its first submission created, in the same transaction, and a replay is shown that.
The shared write idiom (registry.actions.created_once) is the only caller in the pages."""
