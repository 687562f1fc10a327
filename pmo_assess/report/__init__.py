"""What the assessment and portfolio notebooks show: tidy tables, display helpers, HTML reports."""
