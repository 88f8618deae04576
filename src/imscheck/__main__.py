"""``python -m imscheck`` and the ``imscheck`` script (``run``).

``imscheck --version`` is answered before click is imported: click alone costs more start-up than
all the rest of imscheck's CLI, and a version needs none of it. Everything else goes to the click
application in :mod:`imscheck.cli`.
"""

import sys


def run() -> None:
    if sys.argv[1:] == ["--version"]:
        from imscheck import __version__

        print(f"imscheck, version {__version__}")  # click's version_option says exactly this
        sys.exit(0)
    from imscheck.cli import main

    main()


if __name__ == "__main__":
    run()
