"""What comes in and is kept: the data contract, the snapshot store and its derived tables, the import,
the template, the demo county and the data docs. Uses neither figures nor present.
"""
