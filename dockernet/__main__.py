"""``python -m dockernet``."""

from dockernet.cli import main

main()
