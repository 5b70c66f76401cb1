"""The local stack — the Cloud Storage emulator with the weights in it, and the function served by the real
functions-framework — started as child processes, for the tests (and the demo and benchmarks)."""
