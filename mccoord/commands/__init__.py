"""Subcommands of the ``mccoord`` command line, one module each."""
