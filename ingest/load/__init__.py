"""Files to raw: a release package checked and landed in one transaction."""
