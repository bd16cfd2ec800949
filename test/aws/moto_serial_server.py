"""Runs moto_server handling one request at a time.

moto's stock server is threaded, and its S3 PutObject checks If-Match / If-None-Match and then
writes without a lock, so two conditional writes can both pass: a race in the emulator that real
S3 does not have (it evaluates the condition atomically). Serialising requests makes the emulator's
conditional writes atomic, so the audit log's "no append is lost" test means what it says.
Usage: python moto_serial_server.py HOST PORT
"""

import os
import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)
