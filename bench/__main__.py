"""``python -m bench [--quick] [--only NAME ...]``: measure, print a table, write JSON."""

import sys

from bench.core import main

if __name__ == "__main__":
    sys.exit(main())
