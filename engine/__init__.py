"""The real-Pulumi-engine test kit: toolchain wrapper modules (``toolchain/``) and the harness.

Nothing here is imported by the Pulumi program or by the fast test suite (``tests/``).
"""
