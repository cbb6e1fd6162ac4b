"""What `python -m socialwork generate` writes from the contract: docs/data.md and the figure queries."""
