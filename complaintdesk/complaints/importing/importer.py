"""A file's import: its format told by its header, its rows read, mapped and written in batches."""

from pathlib import Path

from django.utils import timezone

from complaintdesk.complaints.importing.cfpb import CfpbFormat
from complaintdesk.complaints.importing.common import Planned, Report, RowError
from complaintdesk.complaints.importing.native import NativeFormat
from complaintdesk.complaints.importing.read import read_header, read_rows
from complaintdesk.complaints.importing.write import BATCH_SIZE, Tables, Writer, bulk_load
from complaintdesk.complaints.models import Category

FORMATS = (CfpbFormat, NativeFormat)


def detect_format(header: list[str], categories, tables: Tables) -> CfpbFormat | NativeFormat:
    columns = set(header)
    for fmt in FORMATS:
        if set(fmt.required) <= columns:
            return fmt(categories, header, tables)
    cfpb_missing = [c for c in CfpbFormat.required if c not in columns]
    native_missing = [c for c in NativeFormat.required if c not in columns]
    raise ValueError(
        "unknown columns: a CFPB file lacks " + ", ".join(cfpb_missing)
        + "; a ComplaintDesk file lacks " + ", ".join(native_missing)
    )  # fmt: skip


class Importer:
    """One file's import (`run`): its rows read and mapped here, written in batches by a `Writer`; a
    row's identity met twice in the file is rejected the second time."""

    def __init__(self, path: Path, batch_size: int = BATCH_SIZE, progress=None):
        self.path = path
        self.batch_size = batch_size
        self.progress = progress
        self.categories = {c.code: c for c in Category.objects.all()}
        self.now = timezone.now()
        self.tables = Tables.build(self.now)
        self.format = detect_format(read_header(path), self.categories, self.tables)
        self.report = Report(format=self.format.name)
        self.writer = Writer(self.tables, self.report)
        self.seen: dict[tuple, int] = {}

    def run(self) -> Report:
        with bulk_load():
            return self._run()

    def _run(self) -> Report:
        now, fmt, seen = self.now, self.format, self.seen
        batch: list[Planned] = []
        for line, values, reason in read_rows(self.path, self.progress):
            self.report.rows += 1
            if values is None:
                self.report.reject(line, "", reason)
                continue
            try:
                planned = fmt.map(line, values, now)
            except RowError as exc:
                self.report.reject(line, fmt.row_id(values), str(exc))
                continue
            key = planned.identity
            if key in seen:
                self.report.reject(line, fmt.row_id(values), f"the same id as line {seen[key]} of this file")
                continue
            seen[key] = line
            batch.append(planned)
            if len(batch) >= self.batch_size:
                self.writer.write(batch)
                batch = []
        if batch:
            self.writer.write(batch)
        return self.report


def import_file(path: Path, batch_size: int = BATCH_SIZE, progress=None) -> Report:
    return Importer(path, batch_size, progress).run()
