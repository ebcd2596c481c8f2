"""Programmes: editions, their sites, curriculum modules and Intercultural City Committees."""
