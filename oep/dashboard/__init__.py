"""Each role's home page after signing in."""
