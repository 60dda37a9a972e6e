"""``python -m service`` and the ``mediamonitor`` command."""

import gc


def run() -> None:
    """Import the command line with the cyclic garbage collector off, then run it.

    Importing it creates a few hundred thousand objects that live as long as the process
    and are almost never garbage: collections on the way, or one over all of them after,
    were a tenth of the ~1.6 s start of every command. Frozen, no collection looks at
    them again."""
    gc.disable()
    try:
        from service.cli import main
    finally:
        gc.freeze()
        gc.enable()
    main()


# The guard matters: extraction workers start from a fork server that imports __main__.
if __name__ == "__main__":
    run()
