"""Assessment rounds: which round an assessment belongs to, a history of rounds, and comparison across them."""
