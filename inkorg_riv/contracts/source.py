"""Where a contract package's files come from: the bundled schemas, an official zip, a folder.

A :class:`PackageSource` is an immutable map of package-relative POSIX paths to file bytes.
Nothing is extracted to disk and nothing is fetched over the network; the lxml resolver made by
:meth:`PackageSource.resolver` serves imports and includes from the map and refuses anything
else (layer L1).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..errors import ContractLoadError, ContractProblem
from ..errors._record import Record, record, setfield

if TYPE_CHECKING:
    from pathlib import Path

_SUFFIXES = (".xsd", ".wsdl")
_MAX_FILE = 32 * 1024 * 1024
_MAX_TOTAL = 256 * 1024 * 1024
_MAX_FILES = 20_000
VIRTUAL_ROOT = "file:///inkorg-riv-package/"
"""Base URL under which package files are served to libxml2 (never a real path)."""


@record()
class PackageSource(Record):
    """The schema and WSDL files of one package, by package-relative POSIX path."""

    __slots__ = ("files", "name", "origin")

    name: str
    origin: str
    """``bundled``, ``zip`` or ``folder``."""
    files: Mapping[str, bytes]

    def __init__(self, name: str, origin: str, files: Mapping[str, bytes]) -> None:
        setfield(self, "name", name)
        setfield(self, "origin", origin)
        setfield(self, "files", files)

    def url(self, path: str) -> str:
        """The virtual URL of a package file, for lxml's base_url."""
        return VIRTUAL_ROOT + path

    def path_of(self, url: str) -> str | None:
        """The package path of a virtual URL, or ``None`` if the URL is outside the package."""
        if not url.startswith(VIRTUAL_ROOT):
            return None
        path = posixpath.normpath(url[len(VIRTUAL_ROOT) :])
        return path if path in self.files else None

    def resolve(self, base_path: str, location: str) -> str | None:
        """Resolve a relative ``schemaLocation`` against the file ``base_path``."""
        if "://" in location or location.startswith("/"):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_path), location))
        return joined if joined in self.files else None

    def with_files(self, files: Mapping[str, bytes]) -> PackageSource:
        """A copy with some files replaced (used to apply the pattern policy)."""
        merged = dict(self.files)
        merged.update(files)
        return PackageSource(self.name, self.origin, MappingProxyType(merged))

    def resolver(self) -> etree.Resolver:
        """An lxml resolver that serves package files and refuses every other URL."""
        return _PackageResolver(self)

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)


class _PackageResolver(etree.Resolver):
    def __init__(self, source: PackageSource) -> None:
        super().__init__()
        self._source = source

    def resolve(  # lxml passes the context as a third argument
        self, system_url: str | None, public_id: str | None, context: Any  # noqa: ARG002
    ) -> Any:
        path = self._source.path_of(system_url or "")
        if path is None:
            # Refuse: an empty document makes libxml2 report the missing import instead of
            # reading the file system or the network.
            return self.resolve_string("", context)
        return self.resolve_string(self._source.files[path], context, base_url=system_url)


def from_folder(folder: str | os.PathLike[str]) -> PackageSource:
    """Read every ``.xsd`` and ``.wsdl`` below ``folder`` (symlinked folders are not entered).

    Walks with :func:`os.walk` rather than :mod:`pathlib`, which the bundled package's cold
    start would otherwise import for this alone.
    """
    root = os.fspath(folder)
    if not os.path.isdir(root):
        raise ContractLoadError(f"{folder}: not a folder")
    files: dict[str, bytes] = {}
    total = 0
    for where, folders, names in os.walk(root):
        folders.sort()
        prefix = os.path.relpath(where, root).replace(os.sep, "/")
        for name in sorted(names):
            path = os.path.join(where, name)
            if os.path.splitext(name)[1].lower() not in _SUFFIXES or not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            total += size
            if size > _MAX_FILE or total > _MAX_TOTAL or len(files) >= _MAX_FILES:
                raise ContractLoadError(
                    f"{folder}: the package is too large to be a contract package"
                )
            with open(path, "rb") as stream:
                files[name if prefix == "." else f"{prefix}/{name}"] = stream.read()
    return _finish(str(folder), "folder", files)


def from_zip(archive: Path) -> PackageSource:
    """Read every ``.xsd`` and ``.wsdl`` of a zip as Inera publishes it, in memory."""
    import zipfile  # noqa: PLC0415  (only zip sources need it; keeps start-up lean)

    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise ContractLoadError(f"{archive}: not a zip file ({exc})") from exc
    except OSError as exc:
        raise ContractLoadError(f"{archive}: cannot be read ({exc.strerror or exc})") from exc
    files: dict[str, bytes] = {}
    total = 0
    with zf:
        for info in zf.infolist():
            suffix = posixpath.splitext(info.filename)[1]
            if info.is_dir() or suffix.lower() not in _SUFFIXES:
                continue
            name = posixpath.normpath(info.filename.replace("\\", "/"))
            if name.startswith(("../", "/")) or "/../" in name:
                continue
            total += info.file_size
            if info.file_size > _MAX_FILE or total > _MAX_TOTAL or len(files) >= _MAX_FILES:
                raise ContractLoadError(f"{archive}: the zip is too large to be a contract package")
            try:
                files[name] = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise ContractLoadError(
                    f"{archive}: {info.filename} cannot be read ({exc})"
                ) from exc
    return _finish(str(archive), "zip", _strip_top_folder(files))


def _strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop leading folders shared by every file above the package's ``schemas`` level."""
    while files:
        heads = {name.split("/", 1)[0] for name in files}
        if len(heads) != 1 or any("/" not in name for name in files):
            break
        head = heads.pop()
        if head in ("interactions", "core_components"):
            break
        files = {name.split("/", 1)[1]: data for name, data in files.items()}
    return files


def _finish(name: str, origin: str, files: dict[str, bytes]) -> PackageSource:
    if not any(path.lower().endswith(".wsdl") for path in files):
        raise ContractLoadError(
            f"{name}: not a contract package (no WSDL files found)",
            problems=[ContractProblem(name, "expected interactions/<Name>Interaction/*.wsdl")],
        )
    return PackageSource(name, origin, MappingProxyType(dict(sorted(files.items()))))


def bundled_folder() -> Path:
    """The folder of the bundled schemas: inside the installed wheel, or the source tree."""
    from pathlib import Path  # noqa: PLC0415  (the loader itself uses _bundled_dir)

    return Path(_bundled_dir())


def _bundled_dir() -> str:
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    wheel, tree = os.path.join(here, "_schemas"), os.path.join(os.path.dirname(here), "schemas")
    for candidate in (wheel, tree):
        if os.path.isdir(os.path.join(candidate, "interactions")):
            return candidate
    raise ContractLoadError(
        f"the bundled schemas are missing (looked in {wheel})"
    )


def open_source(location: str | Path | None) -> PackageSource:
    """A source for ``location``: ``None`` for the bundled package, a zip, or a folder."""
    if location is None:
        source = from_folder(_bundled_dir())
        return PackageSource("bundled patientportal 2.0", "bundled", source.files)
    from pathlib import Path  # noqa: PLC0415  (only for a location given: see from_folder)

    path = Path(location)
    if not path.exists():
        raise ContractLoadError(f"{path}: no such file or folder")
    if path.is_dir():
        return from_folder(path)
    return from_zip(path)
