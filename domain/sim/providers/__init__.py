"""Raw schemas and mappers of the MVNO platforms we read SIMs from."""
