"""The rating pages anyone can open: the methodology, with an example the engine computes,
and the red list (守信红名单)."""
