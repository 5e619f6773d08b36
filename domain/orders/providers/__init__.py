"""Order providers: one package per source system."""
