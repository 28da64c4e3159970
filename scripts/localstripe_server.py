"""Run localstripe bound to 127.0.0.1 only (its own CLI listens on every interface).

Usage: python scripts/localstripe_server.py --port 8420 [--from-scratch]
State persists in /tmp/localstripe.pickle (localstripe's own choice) unless --from-scratch.
"""

import argparse
import logging

from aiohttp import web
from localstripe.resources import store
from localstripe.server import app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--from-scratch", action="store_true")
    args = parser.parse_args()
    if not args.from_scratch:
        store.try_load_from_disk()
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
