"""`python -m spinfix.cli`: the command line."""
from spinfix.cli import main

main()
