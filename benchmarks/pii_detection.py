"""A seeded test table with every PII kind plus decoys, and the detection figures on it.

Run ``python benchmarks/pii_detection.py`` to print precision and recall with
descriptive column names and with neutral ones (``col_01``: values alone), as quoted in
``docs/privacy.md``. Rows mix five locales so formats vary as in real customer data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from synthohive_lib.privacy.detect import DetectionScores, detect_table_pii, detection_scores
from synthohive_lib.schema.model import PiiKind

LOCALES = ("en_US", "de_DE", "fr_FR", "pt_BR", "en_GB")

_PII: dict[str, tuple[PiiKind, str]] = {
    "email": (PiiKind.EMAIL, "email"),
    "phone": (PiiKind.PHONE, "phone_number"),
    "full_name": (PiiKind.PERSON_NAME, "name"),
    "first_name": (PiiKind.FIRST_NAME, "first_name"),
    "last_name": (PiiKind.LAST_NAME, "last_name"),
    "street_address": (PiiKind.ADDRESS, "street_address"),
    "postal_code": (PiiKind.POSTAL_CODE, "postcode"),
    "ip_address": (PiiKind.IP_ADDRESS, "ipv4"),
    "credit_card_number": (PiiKind.CREDIT_CARD, "credit_card_number"),
    "ssn": (PiiKind.NATIONAL_ID, "ssn"),
    "iban": (PiiKind.IBAN, "iban"),
    "date_of_birth": (PiiKind.DATE_OF_BIRTH, "date_of_birth"),
}


def seeded_pii_table(
    rows: int = 300, seed: int = 7, *, neutral_names: bool = False
) -> tuple[pd.DataFrame, dict[str, PiiKind | None]]:
    """(frame, truth): every PII kind of the issue and ten decoy columns, reproducibly."""
    rng = np.random.default_rng(seed)
    fakers = {}
    for i, loc in enumerate(LOCALES):
        fakers[loc] = Faker(loc)
        fakers[loc].seed_instance(seed * 100 + i)
    row_locale = rng.choice(LOCALES, size=rows)
    data: dict[str, list[object]] = {}
    truth: dict[str, PiiKind | None] = {}
    us = fakers["en_US"]
    for column, (kind, method) in _PII.items():
        values: list[object] = []
        for loc in row_locale:  # test data: per-row Faker is the point here
            fake = fakers[loc] if kind not in (PiiKind.NATIONAL_ID,) else us
            make = getattr(fake, method)
            value = make(minimum_age=18, maximum_age=90) if method == "date_of_birth" else make()
            values.append(value.isoformat() if kind is PiiKind.DATE_OF_BIRTH else str(value))
        data[column] = values
        truth[column] = kind
    decoys: dict[str, list[object]] = {
        "order_id": list(range(1, rows + 1)),
        "amount": np.round(rng.gamma(2.0, 30.0, rows), 2).tolist(),
        "quantity": rng.integers(1, 20, rows).tolist(),
        "status": rng.choice(["new", "paid", "shipped", "returned"], rows).tolist(),
        "sku": [f"SKU-{v:05d}" for v in rng.integers(0, 99_999, rows)],
        "batch_code": [f"{v:05d}" for v in rng.integers(0, 99_999, rows)],
        "product_name": [
            f"{us.word().title()} {us.word().title()} {int(v)}"
            for v in rng.integers(100, 5000, rows)
        ],
        "order_date": [
            (pd.Timestamp("2021-01-01") + pd.Timedelta(days=int(d))).date().isoformat()
            for d in rng.integers(0, 1400, rows)
        ],
        "version": [f"{a}.{b}.{c}" for a, b, c in rng.integers(0, 12, (rows, 3))],
        "comment": [us.sentence(nb_words=6) for _ in range(rows)],
        "tracking_uuid": [us.uuid4() for _ in range(rows)],
        "color": rng.choice(["red", "green", "blue", "black", "white"], rows).tolist(),
    }
    for column, values in decoys.items():
        data[column] = values
        truth[column] = None
    frame = pd.DataFrame(data)
    if neutral_names:
        names = {c: f"col_{i:02d}" for i, c in enumerate(frame.columns, start=1)}
        frame = frame.rename(columns=names)
        truth = {names[c]: k for c, k in truth.items()}
    order = rng.permutation(len(frame.columns))
    frame = frame.iloc[:, order]
    return frame, truth


def run(rows: int = 300, seed: int = 7) -> dict[str, DetectionScores]:
    """Detection scores with descriptive and with neutral column names."""
    out = {}
    for label, neutral in (("named", False), ("values only", True)):
        frame, truth = seeded_pii_table(rows, seed, neutral_names=neutral)
        out[label] = detection_scores(detect_table_pii(frame, "customers"), truth)
    return out


if __name__ == "__main__":
    for label, scores in run().items():
        print(f"{label:>12}: {scores}")
        if scores.missed:
            print(f"{'':>12}  missed: {', '.join(scores.missed)}")
        if scores.wrong:
            print(f"{'':>12}  wrong:  {', '.join(scores.wrong)}")
