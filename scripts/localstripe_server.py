"""Run localstripe bound to 127.0.0.1 only (its own CLI listens on every interface), keeping its
state in a file of ours (localstripe itself always uses /tmp/localstripe.pickle, shared by every
checkout on the machine).

Usage: python scripts/localstripe_server.py --port 8420 [--state var/localstripe.pickle] [--from-scratch]
       [--ready-file F]  (written once the port is bound)

When it cannot start (the port is taken, the state file is unreadable) it says why on stderr and
exits with status 1, so ``make run`` stops instead of serving a site without payments.
"""

import argparse
import asyncio
import logging
import pickle
import sys
from pathlib import Path

DEFAULT_STATE = Path(__file__).resolve().parent.parent / "var" / "localstripe.pickle"


def use_state_file(store, path: Path) -> None:
    """Point localstripe's load/dump at ``path`` (written atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store_class = type(store)

    def try_load_from_disk(self):
        try:
            with open(path, "rb") as f:
                old = pickle.load(f)  # noqa: S301 - our own state file
        except FileNotFoundError:
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self):
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    store_class.try_load_from_disk = try_load_from_disk
    store_class.dump_to_disk = dump_to_disk


def fail(message: str) -> None:
    print(f"localstripe could not start: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="state file (default: var/)")
    parser.add_argument("--from-scratch", action="store_true", help="ignore the saved state")
    parser.add_argument("--ready-file", type=Path, help="written once the port is bound")
    args = parser.parse_args()

    from aiohttp import web
    from localstripe.resources import store
    from localstripe.server import app

    use_state_file(store, args.state)
    if not args.from_scratch:
        try:
            store.try_load_from_disk()
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            fail(f"its state file {args.state} cannot be read ({exc}); delete it or pass --from-scratch")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(web, app, args))


async def serve(web, app, args) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, args.host, args.port).start()
    except OSError as exc:
        await runner.cleanup()
        fail(
            f"{args.host}:{args.port} is not available ({exc.strerror or exc}). Another `make run` or "
            f"localstripe may hold it: stop it, or choose another port (make run STRIPE_PORT=…)."
        )
    if args.ready_file:
        args.ready_file.write_text(f"{args.host}:{args.port}\n")
    try:
        await asyncio.Event().wait()  # until killed
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    main()
