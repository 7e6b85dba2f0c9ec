"""A function's code: the uploaded zip, unpacked once under the data directory, in a folder named by its
SHA-256 (``{data}/lambda/{account}/{region}/{name}/{sha256}/``), so processes sharing the data directory find
it, and a new upload never changes files a running instance reads."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import stat
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ServiceError

MAX_ZIP = 50 * 1024 * 1024
"""A zip uploaded in the request (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""
MAX_UNZIPPED = 250 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredCode:
    sha256_hex: str
    size: int
    folder: Path

    @property
    def sha256_b64(self) -> str:
        """``CodeSha256`` as Lambda writes it: the digest in base64."""
        return base64.b64encode(bytes.fromhex(self.sha256_hex)).decode()


def _invalid_zip() -> ServiceError:
    # the text Lambda answers for a file it cannot unzip (UNCONFIRMED: from users' reports, not a capture)
    return ServiceError("InvalidParameterValueException",
                        "Could not unzip uploaded file. Please check your file, then try to upload again.", 400)


def folder_of(data_dir: Path, account: str, region: str, name: str, sha256_hex: str) -> Path:
    return data_dir.resolve() / "lambda" / account / region / name / sha256_hex


def store_zip(data: bytes, data_dir: Path, account: str, region: str, name: str) -> StoredCode:
    """Unpack ``data`` (a zip) into the function's folder for its digest; refuses what Lambda refuses."""
    if len(data) > MAX_ZIP:
        raise ServiceError("RequestEntityTooLargeException",
                           f"Request must be smaller than {MAX_ZIP} bytes for the CreateFunction operation", 413)
    digest = hashlib.sha256(data).hexdigest()
    folder = folder_of(data_dir, account, region, name, digest)
    if folder.is_dir():
        return StoredCode(digest, len(data), folder)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise _invalid_zip() from None
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
        raise ServiceError("InvalidParameterValueException",
                           f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes", 400)
    unique = uuid.uuid4().hex  # concurrent uploads of one digest (threads or processes) never share a folder
    staging = folder.with_name(f".{digest}.{unique}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for entry in entries:
            relative = PurePosixPath(entry.filename)
            if relative.is_absolute() or ".." in relative.parts:  # no entry may land outside the folder
                raise _invalid_zip()
            target = staging.joinpath(*relative.parts)
            if entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(entry) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            mode = (entry.external_attr >> 16) & 0o777
            if mode & stat.S_IXUSR:  # a bootstrap keeps its execute bit, as in Lambda's /var/task
                target.chmod(0o755)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _invalid_zip() from exc
    except ServiceError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    zipped = folder.with_name(f"{digest}.zip")  # GetFunction's Code.Location serves it as uploaded
    partial = zipped.with_name(f".{digest}.{unique}.zip.tmp")
    partial.write_bytes(data)
    partial.replace(zipped)
    try:
        staging.rename(folder)
    except OSError:  # another process unpacked the same digest first
        shutil.rmtree(staging, ignore_errors=True)
    return StoredCode(digest, len(data), folder)


def remove_function_code(data_dir: Path, account: str, region: str, name: str) -> None:
    shutil.rmtree(data_dir.resolve() / "lambda" / account / region / name, ignore_errors=True)
