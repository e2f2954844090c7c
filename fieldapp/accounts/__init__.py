"""Partners, users, bearer tokens and access checks."""
