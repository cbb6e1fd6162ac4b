"""The review meeting: its slides (one outline for screen, deck and report), each group's chart, presentation mode and
the follow-up items' page."""
