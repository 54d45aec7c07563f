"""`python -m smarter_export` runs the command line."""

from smarter_export.cli import main

main()
