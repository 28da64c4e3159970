"""Run the recorded Stripe Connect stand-in on loopback (`make run` does).

Usage: python -m billing.stripe_standin --port 8421 [--ready-file F] [--refuse]

When it cannot start (the port is taken) it says why on stderr and exits with status 1, so
``make run`` stops instead of serving a site whose payouts cannot work.
"""

import argparse
import sys
from pathlib import Path

from billing.stripe_standin.server import StandIn


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m billing.stripe_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file", type=Path, help="written once the port is bound")
    parser.add_argument("--refuse", action="store_true", help="refuse every transfer (balance_insufficient)")
    args = parser.parse_args(argv)
    try:
        standin = StandIn(args.host, args.port, refuse=args.refuse)
    except OSError as exc:
        print(
            f"The Stripe Connect stand-in could not start: {args.host}:{args.port} is not available "
            f"({exc.strerror or exc}). Another `make run` may hold it: stop it, or choose another "
            f"port (make run STRIPE_CONNECT_PORT=…; by default STRIPE_PORT + 1).",
            file=sys.stderr,
        )
        return 1
    standin.verbose = True
    if args.ready_file:
        args.ready_file.write_text(f"{standin.base}\n")
    print(f"Recorded Stripe Connect stand-in on {standin.base} (offline; no money moves).", flush=True)
    try:
        standin.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
