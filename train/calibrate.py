"""How sure the model is, matched to how often it is right: a temperature folded into its readout.

Training spreads probability on purpose (label smoothing, distortions, wrong cuts taught as a spread over the ten
digits), so a model may come out less sure than it is right, and its confidences would tell a user less than
they could. Dividing the readout's scores by a temperature T (softmax(z / T)) changes no reading, only how sure
each is; folded into the readout's weights and bias, it leaves the network and the function's forward pass as
they are. T is the one of TEMPERATURES under which the held-out digits' labels are most likely (the least log
loss), so no accuracy figure moves; the UCI digits, which choose nothing, measure the result (train/uci.py).
"""

import keras
import numpy as np

TEMPERATURES = tuple(round(0.4 + 0.05 * step, 2) for step in range(25))  # 0.4 to 1.6


def temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature of TEMPERATURES that gives `labels` the least log loss under (N, 10) `probabilities`."""
    scores = np.log(np.maximum(probabilities, 1e-12))

    def log_loss(candidate: float) -> float:
        scaled = scores / candidate
        peak = scaled.max(axis=1)
        normaliser = peak + np.log(np.exp(scaled - peak[:, np.newaxis]).sum(axis=1))
        return float(np.mean(normaliser - scaled[np.arange(len(labels)), labels]))

    return min(TEMPERATURES, key=log_loss)


def fold(model: keras.Model, temperature: float) -> None:
    """Divides the scores of the model's readout, its last layer (ten outputs and a softmax), by `temperature`."""
    readout = model.layers[-1]
    if not isinstance(readout, keras.layers.Dense) or readout.activation is not keras.activations.softmax:
        raise ValueError(f"{model.name}: the last layer is not a softmax readout")
    kernel, bias = readout.get_weights()
    readout.set_weights([kernel / temperature, bias / temperature])
