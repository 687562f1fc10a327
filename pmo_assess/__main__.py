from pmo_assess.cli import entry_point

entry_point()
