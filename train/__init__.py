"""Training: fits a model from digit.architectures on MNIST and writes the weights the function serves.

Run it as `python -m train --help`.
"""
