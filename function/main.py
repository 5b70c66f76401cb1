"""The Cloud Function `predict`, an HTTP function for the Python functions-framework (gen2).

POST a JSON object with `image` (784 pixels), `images` (a batch) or `png` (a picture file) and get the digit
back; POST to /corrections a digit misread, to store it for training; GET reports health and the model's
metadata; OPTIONS answers CORS preflights (digit/service.py). The settings come from the environment, read
once, here; digit/settings.py lists them.
"""

import os

# One BLAS thread: the server's threads already share the instance's CPU, and BLAS threads of their own would
# only contend with them (docs/performance.md). numpy reads this once, when it is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import flask  # noqa: E402
import functions_framework  # noqa: E402

from digit.logs import log  # noqa: E402
from digit.memory import use_one_arena  # noqa: E402
from digit.server_limits import limit_server  # noqa: E402
from digit.service import Function  # noqa: E402
from digit.settings import Settings, SettingsError  # noqa: E402

use_one_arena()
try:
    SETTINGS = Settings.from_env()
except SettingsError as error:  # the server must not start: say which setting, not where in the code
    log("CRITICAL", f"the function cannot start: {error}")
    raise SystemExit(1) from None
limit_server(SETTINGS)
FUNCTION = Function.from_settings(SETTINGS)
# gunicorn imports this file, then forks the worker: the first load starts in the worker, as soon as it exists.
os.register_at_fork(after_in_child=FUNCTION.model.start)


@functions_framework.http
def predict(request: flask.Request) -> flask.Response:
    return FUNCTION.answer(request)
