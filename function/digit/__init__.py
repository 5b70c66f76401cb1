"""Digit: the code the Cloud Function runs, shared with training and the tools."""
