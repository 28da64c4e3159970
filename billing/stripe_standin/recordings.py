"""Stripe's answers to the Connect calls billing makes, as recorded (API 2025-03).

One copy, shared by `make run`'s stand-in and the tests. Sources: Stripe's ``transfer`` object
(https://docs.stripe.com/api/transfers/object), its error object
(https://docs.stripe.com/api/errors) and the answer to an unknown URL.
"""

import time

RECORDED_TRANSFER_ID = "tr_1Recorded0001"


def transfer_body(fields: dict, transfer_id: str = RECORDED_TRANSFER_ID) -> dict:
    """Stripe's transfer object, as recorded for a successful transfer of the form ``fields``
    (``parse_qs`` output: each value a list)."""
    suffix = transfer_id.removeprefix("tr_")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": int(fields["amount"][0]),
        "amount_reversed": 0,
        "balance_transaction": f"txn_{suffix}",
        "created": int(time.time()),
        "currency": fields["currency"][0],
        "description": fields.get("description", [""])[0],
        "destination": fields["destination"][0],
        "destination_payment": f"py_{suffix}",
        "livemode": False,
        "metadata": {key[9:-1]: value[0] for key, value in fields.items() if key.startswith("metadata[")},
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "reversed": False,
        "source_transaction": None,
        "source_type": "card",
        "transfer_group": None,
    }


INSUFFICIENT = {
    "error": {
        "code": "balance_insufficient",
        "doc_url": "https://stripe.com/docs/error-codes/balance-insufficient",
        "message": "You have insufficient available funds in your Stripe account.",
        "type": "invalid_request_error",
    }
}


def _invalid_request(code: str, message: str, param: str) -> dict:
    return {
        "error": {
            "code": code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "message": message,
            "param": param,
            "type": "invalid_request_error",
        }
    }


def missing_parameter(name: str) -> dict:
    return _invalid_request("parameter_missing", f"Missing required param: {name}.", name)


def no_such_transfer(transfer_id: str) -> dict:
    return _invalid_request("resource_missing", f"No such transfer: '{transfer_id}'", "id")


def unrecognized_url(method: str, path: str) -> dict:
    return {
        "error": {
            "message": (
                f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                "or we can help at https://support.stripe.com/."
            ),
            "type": "invalid_request_error",
        }
    }
