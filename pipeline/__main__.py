import sys

# Ctrl-C is turned into one line by cli.main; this catches it in the moments before main's
# own handler is in place (imports, option parsing), so no moment prints a traceback.
try:
    from .cli import main

    code = main()
except KeyboardInterrupt:
    print("interrupted: the previous output was left as it was", file=sys.stderr)
    code = 130
sys.exit(code)
