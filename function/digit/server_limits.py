"""The server's own limits on a request's line and headers, which functions-framework does not let a function
set: it starts gunicorn with no limit on the request line, whose parsing then costs CPU that grows with the
square of the line's length. A function's source is imported before the framework builds its server, so the
server it builds can be one that applies the settings' limits."""

from functions_framework._http import gunicorn as framework_server

from digit.settings import Settings


def limit_server(settings: Settings) -> None:
    """Makes the server functions-framework is about to start refuse a request line longer than
    max_request_line_bytes (414) and a header longer than max_header_bytes (431), before the function runs."""
    limits = {
        "limit_request_line": settings.max_request_line_bytes,
        "limit_request_field_size": settings.max_header_bytes,
    }

    class LimitedServer(framework_server.GunicornApplication):
        def load_config(self) -> None:
            self.options.update(limits)
            super().load_config()

    framework_server.GunicornApplication = LimitedServer
