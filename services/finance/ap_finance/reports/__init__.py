"""Finance reports built from the ledger read model: termly monitoring for the Partnership, the
quarterly financial return for the LA (JSON, CSV, .xlsx) and the governing body summary.

Pure: every function here takes figures already read and returns report models; rendering to CSV
and .xlsx is in ``render_csv`` and ``render_xlsx``. No report carries pupil data.
"""
