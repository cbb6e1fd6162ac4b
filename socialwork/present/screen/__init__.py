"""What a page draws: the filters and their URL, cards, charts fitted to the screen, maps, the leader's answers and the
pages' shared parts."""
