"""Fake values from Faker: seeded per run, per column and per locale, distinct on request.

Faker makes one value per Python call, so the cost is per *value generated*; this module
keeps that to the number of distinct values a column needs (a pool), generated in one batch
per locale, and spreads the pool over the rows with NumPy. Uniqueness is global across the
locale groups of a column: duplicates and values in the ``avoid`` set (the normalised real
values, so a fake never equals a real one) are regenerated in rounds, and a unique column that
exhausts a provider's vocabulary (10 000 unique first names from a list of 700) gets a numeric
suffix as a last resort, so unique columns stay unique at any scale.

Each (seed, scope, locale) gets its own Faker instance seeded from a hash of the three, so
results do not depend on the order in which columns or locales are processed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection

import numpy as np
import structlog
from faker import Faker

from synthohive_lib.privacy.locales import DEFAULT_LOCALE
from synthohive_lib.schema.model import PiiKind

log = structlog.get_logger(__name__)

#: Faker provider method per PII kind (birth dates are drawn with NumPy, see fill.py).
FAKER_METHOD: dict[PiiKind, str] = {
    PiiKind.EMAIL: "email",
    PiiKind.PERSON_NAME: "name",
    PiiKind.FIRST_NAME: "first_name",
    PiiKind.LAST_NAME: "last_name",
    PiiKind.PHONE: "phone_number",
    PiiKind.ADDRESS: "street_address",
    PiiKind.CITY: "city",
    PiiKind.POSTAL_CODE: "postcode",
    PiiKind.IP_ADDRESS: "ipv4",
    PiiKind.CREDIT_CARD: "credit_card_number",
    PiiKind.NATIONAL_ID: "ssn",
    PiiKind.IBAN: "iban",
    PiiKind.COMPANY: "company",
}
#: Rounds of regeneration for duplicates and real values before the suffix fallback ...
MAX_ROUNDS = 12
#: ... stopped early once a round yields fewer new values than this share of its batch.
MIN_NEW_SHARE = 0.05


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from any parts, stable across processes (unlike ``hash()``)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class FakerPool:
    """Seeded Faker instances for one column, one per locale, created on first use."""

    def __init__(self, seed: int, scope: str) -> None:
        self.seed = seed
        self.scope = scope
        self._fakers: dict[str, Faker] = {}
        self._warned: set[tuple[str, str]] = set()

    def faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            fake = Faker(locale)
            fake.seed_instance(derive_seed(self.seed, self.scope, locale))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def method(self, kind: PiiKind, locale: str) -> Callable[[], str]:
        """The provider method for ``kind`` in ``locale`` (en_US's when the locale lacks it)."""
        name = FAKER_METHOD[kind]
        fake = self.faker(locale)
        try:
            return getattr(fake, name)
        except AttributeError:
            if (locale, name) not in self._warned:
                self._warned.add((locale, name))
                log.info("privacy.faker.fallback", locale=locale, method=name, scope=self.scope)
            return getattr(self.faker(DEFAULT_LOCALE), name)

    def batch(self, kind: PiiKind, locale: str, n: int) -> list[str]:
        """``n`` values of ``kind`` in ``locale`` (one provider call per value: Faker's cost)."""
        make = self.method(kind, locale)
        return [str(make()) for _ in range(n)]


def _suffixed(value: str, kind: PiiKind, number: int) -> str:
    """A variant of ``value`` made distinct by a number, keeping the kind's format."""
    if kind is PiiKind.EMAIL and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local}{number}@{domain}"
    return f"{value} {number}"


def distinct_values(
    pool: FakerPool,
    kind: PiiKind,
    wanted: dict[str, int],
    *,
    normalise: Callable[[str], str],
    avoid: Collection[str] = (),
    unique: bool = False,
    make: Callable[[str, int], list[str]] | None = None,
) -> dict[str, list[str]]:
    """``wanted[locale]`` values per locale, distinct across all locales and not in ``avoid``.

    ``normalise`` maps a value to the form compared with ``avoid`` and used for distinctness
    (case and punctuation folded, as the leak scan compares). ``make(locale, n)`` overrides
    Faker (shape-based codes). When the provider runs dry, a unique column gets suffixed
    variants; a non-unique one repeats values (and the pool is simply smaller).
    """
    generate = make or (lambda loc, n: pool.batch(kind, loc, n))
    seen: set[str] = set()
    out: dict[str, list[str]] = {loc: [] for loc in wanted}
    for loc, k in wanted.items():
        got = out[loc]
        for _ in range(MAX_ROUNDS):
            need = k - len(got)
            if need <= 0:
                break
            batch = generate(loc, int(need * 1.25) + 4)
            before = len(got)
            for value in batch:
                key = normalise(value)
                if key in seen or key in avoid:
                    continue
                seen.add(key)
                got.append(value)
                if len(got) == k:
                    break
            if len(got) < k and len(got) - before < MIN_NEW_SHARE * len(batch):
                break  # the provider's vocabulary is spent: more rounds would only waste time
        if len(got) < k:
            missing = k - len(got)
            log.info("privacy.faker.exhausted", scope=pool.scope, locale=loc, missing=missing)
            base = got or generate(loc, 1)
            number = 2
            while len(got) < k:
                candidate = (
                    _suffixed(base[(number - 2) % len(base)], kind, number)
                    if unique or not got
                    else got[(number - 2) % len(got)]
                )
                number += 1
                key = normalise(candidate)
                if unique and (key in seen or key in avoid):
                    continue
                seen.add(key)
                got.append(candidate)
    return out


def spread(pool_size: int, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Row → pool index: every pool value used at least once, the rest drawn at random."""
    if rows == 0:
        return np.array([], dtype=np.int64)
    k = max(1, min(pool_size, rows))
    idx = np.concatenate([np.arange(k), rng.integers(0, k, size=rows - k)])
    return rng.permutation(idx)
