"""The zip archive of a checkpoint: writing records 64-byte aligned, reading them back.

A checkpoint is an ordinary zip file (`unzip -l checkpoint.pt` lists it) whose records all
sit in one folder, `archive/` here (PyTorch names it after the file: `model.pt` ->
`model/`; readers take whatever the first record's folder is). Records are *stored*, not
compressed, and each record's bytes start at a multiple of 64 in the file: PyTorch pads the
"extra field" of every record's local header (an extra field with id "FB") so that a
storage can be memory-mapped and read as an array in place. Python's `zipfile` does not
align, so `ArchiveWriter` computes the padding itself.

Read next: storages.py (what goes into the data/ records).
"""

import io
import struct
import zipfile

ALIGNMENT = 64
FOLDER = "archive"
# Every record gets the same date, so saving the same object twice gives the same bytes.
DATE = (1980, 1, 1, 0, 0, 0)
LOCAL_HEADER_SIZE = 30  # the fixed part of a zip local file header, before name and extra
DAMAGED = (
    "If you are seeing this error, the checkpoint file is likely damaged: it was not saved "
    "completely, was cut short while being copied, or was changed after saving."
)


class ArchiveWriter:
    """Collects records in memory; `getvalue()` is the finished zip file."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_STORED)

    def write(self, name, data):
        """Add `data` (bytes) as `archive/<name>`, its first byte at a multiple of 64."""
        info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=DATE)
        info.compress_type = zipfile.ZIP_STORED
        start = self.buffer.tell() + LOCAL_HEADER_SIZE + len(info.filename.encode()) + 4
        padding = -start % ALIGNMENT
        # extra field: id "FB", length of what follows, then that many filler bytes
        info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
        self.zip.writestr(info, data)

    def getvalue(self):
        self.zip.close()
        return self.buffer.getvalue()


class ArchiveReader:
    """The records of a checkpoint file, by name inside its folder (`data.pkl`, `data/0`).

    Errors keep PyTorch's key phrases ("PytorchStreamReader failed ...") so that searching
    the message finds the same advice.
    """

    def __init__(self, data, where):
        self.where = where
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            names = self.zip.namelist()
        except zipfile.BadZipFile as error:
            raise RuntimeError(
                f"PytorchStreamReader failed reading zip archive: failed finding central "
                f"directory ({where}: {error}). {DAMAGED}"
            ) from None
        if not names:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {where} is empty")
        # PyTorch's rule: the folder is whatever the first record's name starts with.
        self.folder = names[0].split("/")[0]
        self.names = set(names)

    def has(self, name):
        return f"{self.folder}/{name}" in self.names

    def read(self, name):
        """The bytes of record `name`; a clear error when it is missing or damaged."""
        full = f"{self.folder}/{name}"
        if full not in self.names:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {name}: file not found "
                f"(in {self.where}). {DAMAGED}"
            )
        try:
            return self.zip.read(full)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: {error} (in {self.where}). "
                f"{DAMAGED}"
            ) from None
