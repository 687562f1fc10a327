"""The PMO business plan: drafted from the assessment and roadmap, edited by the PMO head, rendered and exported."""
