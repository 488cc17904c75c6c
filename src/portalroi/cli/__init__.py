"""The ``portalroi`` command line: thin shells over the Python API."""
