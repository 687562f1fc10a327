"""Figures from scores (matplotlib/seaborn); no computation of their own."""
