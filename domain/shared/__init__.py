"""Types shared by every area."""
