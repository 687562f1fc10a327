"""Figures from scores (plain Matplotlib); no computation of their own."""
