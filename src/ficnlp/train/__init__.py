"""Training of ficnlp's shipped models (needs the ``train`` extra: lightgbm, scikit-learn).

- :mod:`ficnlp.train.speakers`: the speaker ranker, from PDNC with leave-novels-out
  cross-validation (``ficnlp train``, ``make train``).
"""
