"""Orders: what a customer ordered, how far its provisioning is, and new orders to place."""
