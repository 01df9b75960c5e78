"""Build ficnlp's given-name gender list from Faker's per-locale first-name lists.

Writes ``src/ficnlp/data/given_names.tsv.gz``: one line per lowercase given name,
``name<TAB>m`` or ``name<TAB>f``. A name listed as male in one locale and female in
another (Alex, Sam, Jo, Brett) is left out. ficnlp uses the list only for a character
whose gender the text's pronouns leave unknown (see ``characters.py``).

Source: the ``first_names_male`` / ``first_names_female`` lists of every person
provider in Faker 40.63.0 (MIT licence, joke2k and contributors; the English lists
derive from US Social Security Administration baby-name data). Run with ``make
lexicon``; needs ``pip install faker==40.63.0`` (the ``build`` extra), not needed at run
time.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from _datafile import write_lines_gz


def main(out: str = "src/ficnlp/data/given_names.tsv.gz") -> int:
    import faker.providers.person as person

    male: set[str] = set()
    female: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        except (ImportError, AttributeError):
            continue
        for names, bucket in (
            (getattr(provider, "first_names_male", ()), male),
            (getattr(provider, "first_names_female", ()), female),
        ):
            bucket.update(n.lower() for n in names if n.isalpha())
    rows = sorted([f"{n}\tm\n" for n in male - female] + [f"{n}\tf\n" for n in female - male])
    write_lines_gz(out, rows)
    print(f"wrote {len(rows)} given names to {out} (left out {len(male & female)} listed as both)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
