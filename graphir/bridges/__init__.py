"""Bridges to the outside: SymPy (both ways, simplify) and JSON (save, load)."""
