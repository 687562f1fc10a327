"""pmo-assess: PMO maturity assessment, scoring, and planning for a value-driven PMO."""

__version__ = "0.1.0"
