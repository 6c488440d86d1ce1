"""``python cli.py ...`` from a source tree: the same ``kb`` command as the
installed one, which lives in ``kb.cli``."""

from kb.cli import main

if __name__ == "__main__":
    main()
