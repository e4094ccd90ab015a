"""The ``flowport`` command line: typer commands that call the services layer in-process."""
