"""Writers of deliverables: scores as JSON, CSV and a terminal table."""
