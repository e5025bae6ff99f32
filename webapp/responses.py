"""Error responses in one shape: JSON under /api/ and for JSON clients, else an HTML page that keeps the form."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request

EMBED_ENDPOINT = "views.embed"
EMBED_TRENDS_ENDPOINT = "trends.embed"  # the trends chart for an <iframe> (webapp/trends.py)
ERROR_TITLES = {
    400: "That search could not be run",
    404: "Not found",
    405: "Method not allowed",
    429: "Too many requests",
    500: "Something went wrong",
    503: "No index yet",
}


def wants_json() -> bool:
    """Return whether the client should get JSON (the API, or a client that asks only for JSON)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def bare_error(status: int, code: str, message: str) -> Response:
    """Return the error as JSON or plain text: for errors before routing, when no page can be built."""
    if wants_json():
        response = jsonify({"error": {"status": status, "code": code, "message": message}})
    else:
        response = Response(f"{message[:1].upper()}{message[1:]}.\n", mimetype="text/plain")
    response.status_code = status
    return response


def error(status: int, code: str, message: str) -> Response:
    """Return the error response: {"error": {"status", "code", "message"}} or the error page."""
    if wants_json():
        response = jsonify({"error": {"status": status, "code": code, "message": message}})
    else:
        title = ERROR_TITLES.get(status, "Error")
        # An error of the framed search keeps its layout, so the page around the frame stays usable.
        template = "views/embed.html" if request.endpoint == EMBED_ENDPOINT else "views/error.html"
        page = render_template(template, status=status, code=code, title=title, message=message)
        response = Response(page, mimetype="text/html")
    response.status_code = status
    return response
