"""The long run of the property-based suite: every derivation command on many random inputs.

The test command runs tests/test_properties.py with its "ci" profile (a few derandomized examples per
command); this runs the "long" profile (LONG_EXAMPLES random examples per command, new ones each run):

    python bench/properties.py            # about 10 minutes on the 2-core machine
    python bench/properties.py -k softmax # one command
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = {**os.environ, "DERIVE_PROPERTIES": "long", "PYTHONPATH": str(ROOT)}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_properties.py", *sys.argv[1:]],
                           cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
