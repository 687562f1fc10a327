"""Batch runs of the assessment notebook across business units (papermill), with a portfolio view.

``discover`` finds units and validates inputs, ``kernels`` starts kernels safely, ``run`` executes
one notebook with a time limit and publishes its outputs only on success, ``manifest`` decides what
a rerun must redo, ``summary`` reports the outcome, and ``pipeline`` ties them together.
"""
