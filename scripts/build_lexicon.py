"""Build ficnlp's English word lexicon from spaCy's lookup tables.

Writes ``src/ficnlp/data/lexicon.tsv.gz``: one line per common lowercase English word,
``word<TAB>logp_lower<TAB>logp_capitalised``, the natural-log unigram probabilities of
the lowercase and the capitalised form. ficnlp uses the pair to tell a name ("Maya":
capitalised far more often than not) from a common word that starts a sentence ("Kit",
"Will", "Mom"). Only words whose lowercase form has log-probability >= -16 are kept
(about 49,000 words, a few hundred KB compressed).

Source: ``en_lexeme_prob`` from spacy-lookups-data 1.0.5 (MIT licence, Explosion AI),
the word probabilities of spaCy's v2 English models. Run with ``make lexicon``; needs
``pip install spacy-lookups-data==1.0.5`` (the ``build`` extra), not needed at run time.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib import resources

from _datafile import write_lines_gz

MIN_LOGP = -16.0


def main(out: str = "src/ficnlp/data/lexicon.tsv.gz") -> int:
    data = resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
    with data.open("rb") as fh:
        probs: dict[str, float] = json.loads(gzip.decompress(fh.read()))
    rows = []
    for word, logp in probs.items():
        if word.isalpha() and word.islower() and logp >= MIN_LOGP:
            cap = probs.get(word.capitalize(), -25.0)
            rows.append(f"{word}\t{logp:.1f}\t{cap:.1f}\n")
    rows.sort()
    write_lines_gz(out, rows)
    print(f"wrote {len(rows)} words to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
