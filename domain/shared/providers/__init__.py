"""Building blocks shared by the raw schemas of one provider across areas."""
