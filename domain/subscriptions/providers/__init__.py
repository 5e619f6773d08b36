"""Raw schemas and mappers of the billing systems we read subscriptions from."""
