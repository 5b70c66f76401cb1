"""Training: fits one of the networks in train/network.py on MNIST and writes the weights the function serves,
with the list of layers it rebuilds them from.

Run it as `python -m train --help`.
"""
