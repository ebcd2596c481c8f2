"""Pairings: optimal competence-based matching of organisations, the pairing workspace and co-delivered workshops."""
