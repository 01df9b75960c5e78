"""The character network as GraphML and GEXF, for Gephi, Cytoscape, networkx and igraph.

Both files hold the directed graph of :func:`ficnlp.network.build_network`: nodes are
character ids with ``label`` (the name), ``aliases``, ``gender``, ``narrator``,
``mentions``, ``quotations``, ``words_spoken`` and ``scenes``; edges carry ``weight``
(the count chosen, by default ``spoke_to``), ``spoke_to``, ``co_scenes`` and
``relationship``. Gephi reads ``weight`` as the edge weight and ``label`` as the node
label. The columns are described in ``docs/exports.md``.

Output is deterministic: the same analysis gives byte-identical files (the GEXF
``lastmodifieddate``, which networkx sets to today's date, is left out).

Read them back with ``networkx.read_graphml(path)`` / ``networkx.read_gexf(path)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import networkx as nx

from ficnlp.model import Analysis
from ficnlp.network import build_network

__all__ = ["gexf_text", "graphml_text", "write_gexf", "write_graphml"]

_LASTMOD = re.compile(r' lastmodifieddate="[^"]*"')
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def graphml_text(a: Analysis, *, weight: Literal["spoke_to", "co_scenes"] = "spoke_to") -> str:
    """The network of ``a`` as GraphML text (UTF-8 XML, a trailing newline).

    Raises:
        ConfigError: ``weight`` is not a known count (see :data:`ficnlp.network.WEIGHTS`).
    """
    g = build_network(a, weight=weight)
    return _DECLARATION + "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True)) + "\n"


def gexf_text(a: Analysis, *, weight: Literal["spoke_to", "co_scenes"] = "spoke_to") -> str:
    """The network of ``a`` as GEXF 1.2 text (UTF-8 XML, a trailing newline).

    Raises:
        ConfigError: ``weight`` is not a known count (see :data:`ficnlp.network.WEIGHTS`).
    """
    g = build_network(a, weight=weight)
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft"))
    return _DECLARATION + _LASTMOD.sub("", text, count=1) + "\n"


def write_graphml(a: Analysis, path: str | Path, *, weight: Literal["spoke_to", "co_scenes"] = "spoke_to") -> Path:
    """Write the network of ``a`` as GraphML; returns the path written.

    Raises:
        ConfigError: ``weight`` is not a known count.
        OSError: the file cannot be written.
    """
    out = Path(path)
    out.write_text(graphml_text(a, weight=weight), encoding="utf-8")
    return out


def write_gexf(a: Analysis, path: str | Path, *, weight: Literal["spoke_to", "co_scenes"] = "spoke_to") -> Path:
    """Write the network of ``a`` as GEXF; returns the path written.

    Raises:
        ConfigError: ``weight`` is not a known count.
        OSError: the file cannot be written.
    """
    out = Path(path)
    out.write_text(gexf_text(a, weight=weight), encoding="utf-8")
    return out
