"""Data: reviewed lexicons (lexicons/) and compiled rule sets (compiled/)."""
