"""gunicorn settings for Dispatch: logs in the shape of the app's (portal/logs.py).

    gunicorn -c deploy/gunicorn.conf.py portal.wsgi:application --workers 4 --bind 127.0.0.1:8000

The access log goes to standard output, one JSON object per request with its method, path,
query, status, bytes, duration (ms), client address, X-Forwarded-For, referrer and user
agent; gunicorn's own messages go to standard error as JSON too. The same variables as the
app's decide the format: JSON unless DEBUG=true or LOG_FORMAT=text. Command-line options
override anything here.
"""

import os
import sys
from pathlib import Path

from gunicorn import glogging

# The app's formatter, from this checkout (not from an installed copy elsewhere on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal.logs import JsonFormatter, wants_json  # noqa: E402

accesslog = "-"
errorlog = "-"
# The control socket under ~/.gunicorn/ is for `gunicornc`, which this deployment does not use.
control_socket_disable = True

JSON = wants_json(
    debug=os.environ.get("DEBUG", "").lower() in {"1", "true", "yes", "on"},
    log_format=os.environ.get("LOG_FORMAT", ""),
)


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines: access() builds the fields from the request and
    the response instead of filling access_log_format."""

    def setup(self, cfg):
        super().setup(cfg)
        if JSON:
            for handler in [*self.error_log.handlers, *self.access_log.handlers]:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not JSON:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        # When the app raised, gunicorn passes an environ without the request's parts.
        method = environ.get("REQUEST_METHOD") or getattr(req, "method", "") or ""
        path = environ.get("PATH_INFO") or getattr(req, "path", "") or ""
        fields = {
            "method": method,
            "path": path,
            "query": environ.get("QUERY_STRING") or getattr(req, "query", "") or "",
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "remote_addr": environ.get("REMOTE_ADDR", ""),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR", ""),
            "referer": environ.get("HTTP_REFERER", ""),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
            "protocol": environ.get("SERVER_PROTOCOL", ""),
        }
        try:
            self.access_log.info("%s %s %s", method, path, status, extra={"fields": fields})
        except Exception:
            self.exception("Could not write the access log line")
        return None


logger_class = JsonLogger


def post_worker_init(worker):
    """Load the screening model and its sentence encoder (about 100 MB, 1 s) as each worker
    starts, not in the first reader's request that posts a comment."""
    from comments.screening.embedding import encoder
    from comments.screening.model import current_model

    current_model()
    encoder()
