"""Harness for tests of the real engine: toolchain, dockerd, probe image, stacks, inline programs."""
