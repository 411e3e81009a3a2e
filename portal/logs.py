"""Structured logs: one JSON object per line, for log collectors (settings.LOGGING and
deploy/gunicorn.conf.py use it).

Every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; a request's `method`,
`path` and `status` when the record carries them (Django's request logs do); `exception`
(the traceback) and `exception_type` on errors; and whatever a caller passes as
`extra={"fields": {...}}` (the gunicorn access log: duration, bytes, client).
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any


def wants_json(*, debug: bool, log_format: str) -> bool:
    """JSON unless asked for text, or in development (DEBUG on) unless asked for JSON."""
    if log_format:
        return log_format == "json"
    return not debug


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django's request logs carry the HttpRequest (runserver's carry its socket, which
        # has neither attribute) and the response's status code.
        request = getattr(record, "request", None)
        method, path = getattr(request, "method", None), getattr(request, "path", None)
        if isinstance(method, str) and isinstance(path, str):
            entry["method"], entry["path"] = method, path
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception_type"] = record.exc_info[0].__name__
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ASCII only: the line stays valid whatever encoding the stream was opened with.
        return json.dumps(entry, default=str)
