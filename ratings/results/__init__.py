"""Rating results: the method applied to each agency's evidence, stored as snapshots and
mirrored on the agency row for search."""
