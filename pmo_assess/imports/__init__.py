"""Readers behind ``pmo-assess import``: filled packs, wide survey exports, mapping files, and the merge."""
