"""The Cloud Function `predict`, an HTTP function for the Python functions-framework (gen2).

POST a JSON object with `image` (784 pixels), `images` (a batch) or `png` (a picture file) and get the digit
back; POST to /corrections a digit misread, to store it for training; GET reports health and the model's
metadata; OPTIONS answers CORS preflights (digit/service.py). The settings come from the environment, read
once, here; digit/settings.py lists them.
"""

import ctypes
import os

# One BLAS thread: the server's threads already share the instance's CPU, and BLAS threads of their own would
# only contend with them (docs/performance.md). numpy reads this once, when it is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# One malloc arena for every thread. glibc gives each thread that allocates at once an arena of its own and keeps
# what a thread freed there for that thread: eight request threads ratchet the instance's memory up towards
# eight times a request's peak. One shared arena reuses what any thread freed; with one vCPU, the threads
# gain nothing from arenas of their own (docs/performance.md). Only glibc has mallopt; elsewhere this does nothing.
M_ARENA_MAX = -8
try:
    ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 1)
except OSError:
    pass

import flask  # noqa: E402
import functions_framework  # noqa: E402

from digit.logs import log  # noqa: E402
from digit.server_limits import limit_server  # noqa: E402
from digit.service import Function  # noqa: E402
from digit.settings import Settings, SettingsError  # noqa: E402

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
