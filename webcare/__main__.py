"""`python -m webcare` is the `webcare` command."""

from webcare.cli import main

main()
