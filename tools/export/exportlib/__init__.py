"""Shared code of seedgrid's export scripts (tools/export/*.py, tools/export/metrics/*.py).

Every module here imports only the Python standard library at import time; torch, onnx, diffusers,
transformers and optimum are imported inside the functions that need them, so that `--help` of every
script works on a bare Python and a missing package fails with a message naming its requirements file.
"""
