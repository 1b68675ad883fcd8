"""Importing complaints from CSV files: our own columns, or the public CFPB consumer-complaint database.

How a file is imported (`import_file`, in `importer`):
1. Rows are streamed from the file and checked one by one (`read.read_rows`): a row with the wrong number of
   columns (a file cut mid-row, between fields), a file that ends inside a quoted field (cut inside a
   narrative), bytes that are not UTF-8 — each is a rejected row with its line number and the reason; the
   rest goes on. A missing final line break is no sign of a cut: the CFPB's own exports end without one.
2. Each row is mapped (`cfpb.CfpbFormat.map`, `native.NativeFormat.map`) to a complete complaint with its
   deadlines and event, or rejected with the reason naming the column. Nothing is written for a rejected
   row. The mapping builds the rows to insert directly as lists of column values (`write.Rows`), and works
   out each distinct date, issue, answer or company once: a million rows share a few thousand of each.
3. Rows go in batches (`write.Writer`): already imported ones (same channel and external id: re-running a
   file adds nothing) and repeats inside the file are skipped; the rest are written with batched raw
   inserts (`executemany` of plain lists, the complaints' ids allocated up front so that each row carries
   its reference) — complaints, deadlines, events and the statistics rollups (the batch's rows counted by
   the facts that decide their rollup keys, then one upsert per key: `rollups.grouped`) in one
   transaction per batch. Should a batch fail in the database, its rows are retried one by one, each
   all or nothing.

Historical records must not wake the worker: imported CFPB complaints carry one deadline, "company
response within 15 days" (the CFPB's own timeliness rule), already met or missed according to
`Timely response?`, with no next check. Native rows in a final state (resolved, closed, withdrawn)
get their deadlines cancelled; native rows without one are live complaints with running deadlines.

The modules, from the bottom up: `common` (a mapped row, the report, the value checks both formats share),
`read` (the CSV file), `write` (the batched writes and the shops an import creates), `native` and `cfpb`
(the two formats), `importer` (a file's import, from reading to writing).
"""

from complaintdesk.complaints.importing.common import Report
from complaintdesk.complaints.importing.importer import import_file
from complaintdesk.complaints.importing.write import BATCH_SIZE, imported_credit_code, is_imported_shop

__all__ = ["BATCH_SIZE", "Report", "import_file", "imported_credit_code", "is_imported_shop"]
