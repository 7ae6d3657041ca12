import sys

# Ctrl-C (and SIGTERM, once cli.main has set its handler) is turned into one line by cli.main;
# this catches it in the moments before main's own try is in place (imports, option parsing),
# so no moment prints a traceback.
try:
    from .cli import main

    code = main()
except KeyboardInterrupt as exc:
    from .errors import Terminated

    print("interrupted: the previous output was left as it was", file=sys.stderr)
    code = 143 if isinstance(exc, Terminated) else 130
sys.exit(code)
