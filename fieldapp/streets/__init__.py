"""Neighbourhoods, streets and the address register."""
