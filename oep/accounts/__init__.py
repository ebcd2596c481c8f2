"""Accounts: users, roles, log-in, passwords and invitations."""
