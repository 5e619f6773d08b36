"""Support providers: one package per source system."""
