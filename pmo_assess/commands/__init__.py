"""One module per ``pmo-assess`` subcommand (see :mod:`pmo_assess.cli`)."""
