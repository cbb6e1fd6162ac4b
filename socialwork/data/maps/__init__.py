"""Township outlines (checked, simplified, kept beside the store) and the tile map for places without them."""
