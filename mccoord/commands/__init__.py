"""Subcommands of the ``mccoord`` command line, one module each.

Every command module follows one convention:

- ``register(sub)`` adds the command's parser to the subparsers ``sub`` and sets
  ``func=main``; building a parser imports nothing heavy.
- ``main(args) -> int`` parses (turns the arguments into the library's values), calls
  the library function that does the work, prints its result and returns the exit code.
  Checks and computations live in the library, never in the command.
- Bad input raises :class:`~mccoord.errors.ConfigError` (or another
  :class:`~mccoord.errors.MccoordError`) before any work starts; :func:`mccoord.cli.main`
  prints it as one line and exits with code 2. Number options use the argument types of
  :mod:`mccoord.commands.options`, which argparse reports the same way.
"""
