"""Evaluation against gold annotations: PDNC, LitBank and our own gold files."""
