"""The local stack — the Cloud Storage emulator with the weights in it, the function served by the real
functions-framework, and the page — started as child processes, for `make demo` (`python -m local`) and the
tests."""
