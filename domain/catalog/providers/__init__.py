"""Catalog providers: one package per source system."""
