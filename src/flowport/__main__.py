"""``python -m flowport``: the same command line as the ``flowport`` script."""

from flowport.cli.main import main

if __name__ == "__main__":
    main()
