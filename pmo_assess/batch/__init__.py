"""Batch runs of the assessment notebook across business units (papermill), with a portfolio view.

``discover`` finds units and validates inputs, ``round_folder`` places the run in its round,
``jobs`` builds each notebook's parameters and manifest key, ``kernels`` starts kernels safely and
``kernel_pool`` reuses warm ones across units, ``run`` executes one notebook with a time limit and
renders its reports, ``publish`` puts outputs in place only on success, ``engine_local`` and
``engine_dask`` (with ``task``, the unit as a self-contained task) run the units here or on a Dask
cluster, ``manifest`` decides what a rerun must redo, ``progress`` and ``summary`` report the
outcome, and ``pipeline`` ties them together.
"""
