"""One module per command, each with ``run(args, stdout, stderr) -> exit status``.

``sahifa.cli`` builds the parser and imports a command's module only when it runs, so
``sahifa --help`` answers at once. Exit status: 0 success, 1 bad input or problems found, 2
usage error.
"""

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
