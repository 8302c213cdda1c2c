"""Statistics: the sector's figures in charts and tables, for the public and for regulators."""
