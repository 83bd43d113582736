"""Runs the export self-test and ends with the line 'selftest: N passed, N failed, N skipped'.

    /usr/bin/python3 tools/export/tests/run.py        (Debian's python3-torch, python3-onnx,
                                                       python3-torchvision, python3-pil, python3-numpy)
"""
from __future__ import annotations

import os
import sys
import unittest
import warnings


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    warnings.simplefilter("ignore")  # torch.onnx's TracerWarnings on the tiny modules are expected
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"selftest: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
