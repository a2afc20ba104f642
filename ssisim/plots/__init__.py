"""Figures, drawn from tables and files only (never the engine or the model)."""
