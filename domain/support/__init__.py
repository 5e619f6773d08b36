"""Support: cases a customer opens, their conversation, files and structured requests."""
