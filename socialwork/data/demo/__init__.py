"""The built-in demo county: a deterministic generator of its snapshots, follow-ups and outlines."""
