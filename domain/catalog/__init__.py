"""The product catalog: what a customer can order, and at what price."""
