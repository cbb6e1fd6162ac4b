"""Where snapshots are kept (a folder or a bucket), the tables derived with each, the store's county and divisions, and
the combined months of many counties."""
