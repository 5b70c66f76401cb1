"""The Cloud Function `predict`, an HTTP function for the Python functions-framework (gen2).

POST a JSON object with `image` (784 pixels), `images` (a batch) or `png` (a picture file) and get the digit
back; POST to /corrections a digit misread, to store it for training; GET reports health and the model's
metadata; OPTIONS answers CORS preflights (digit/service.py). The settings come from the environment, read
once, here; digit/settings.py lists them.
"""

import os

import flask
import functions_framework

from digit.service import Function
from digit.settings import Settings

FUNCTION = Function.from_settings(Settings.from_env())
os.register_at_fork(after_in_child=FUNCTION.models.start)  # gunicorn imports this file, then forks the worker


@functions_framework.http
def predict(request: flask.Request) -> flask.Response:
    return FUNCTION.answer(request)
