#!/usr/bin/env python
"""Django's usual entry point; the same as `caseload manage`."""

import sys

from caseload.cli import run_manage

if __name__ == "__main__":
    sys.exit(run_manage(sys.argv[1:]))
