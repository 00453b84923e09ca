"""mkdocs hook: links from docs/ to the rest of the repository.

The pages link to files outside docs/ (fixtures, mappings/README.md, the
benchmarks) with plain relative paths, so that they work when the Markdown is
read on GitHub. mkdocs only knows the files under docs/: it would report such
a link to a file as not found (fatal under --strict) and leave a link to a
folder as it is, pointing nowhere in the built site. This hook adds each
linked repository file to the site under `repository/` (copied as it is, a
Markdown file too) and, for a linked folder, a generated listing page, so
that mkdocs resolves and rewrites those links like any other. A link to a
path that does not exist is not added: mkdocs then reports it, and --strict
fails.
"""

from __future__ import annotations

import html
import os
import posixpath
import re

from mkdocs.structure.files import File, Files, InclusionLevel

# [text](target) and [label]: target; the target up to whitespace or ")".
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?\s*$", re.M)
PREFIX = "repository"


class RepositoryFile(File):
    """A file outside docs/, copied into the site as it is (a README.md
    included: it is not a page of the site, so it is never rendered)."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False

    def is_media_file(self) -> bool:
        return True


def _outside_targets(files: Files, docs_dir: str, repo: str) -> set[str]:
    """Repository paths (relative to its root) that pages link to outside docs/."""
    found = set()
    for file in files.documentation_pages():
        text = file.content_string
        for match in _LINK.finditer(text):
            target = (match.group(1) or match.group(2)).split("#")[0]
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
                continue
            uri = posixpath.normpath(posixpath.join(posixpath.dirname(file.src_uri), target))
            if not uri.startswith("../"):
                continue
            path = os.path.normpath(os.path.join(docs_dir, uri))
            relative = os.path.relpath(path, repo)
            if relative.startswith(".."):
                continue  # outside the repository: mkdocs reports it
            found.add(relative.replace(os.sep, "/"))
    return found


def _listing(folder: str, names: list[str]) -> str:
    items = "\n".join(f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>' for n in names)
    return (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(folder)}</title>"
        f"<h1>{html.escape(folder)}/</h1><ul>\n{items}\n</ul>\n"
    )


def on_files(files: Files, config) -> Files:
    docs_dir = config["docs_dir"]
    repo = os.path.dirname(os.path.abspath(config["config_file_path"]))
    site_dir = config["site_dir"]
    use_urls = config["use_directory_urls"]

    def add_file(relative: str) -> None:
        src_uri = posixpath.relpath(relative, posixpath.relpath(docs_dir, repo).replace(os.sep, "/"))
        if files.get_file_from_path(src_uri) is None:
            files.append(RepositoryFile(src_uri, docs_dir, site_dir, use_urls,
                                        dest_uri=f"{PREFIX}/{relative}", inclusion=InclusionLevel.INCLUDED))

    for relative in sorted(_outside_targets(files, docs_dir, repo)):
        path = os.path.join(repo, relative)
        if os.path.isfile(path):
            add_file(relative)
        elif os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if os.path.isfile(os.path.join(path, n)))
            for name in names:
                add_file(f"{relative}/{name}")
            src_uri = posixpath.relpath(relative, posixpath.relpath(docs_dir, repo).replace(os.sep, "/"))
            listing = File.generated(
                config, src_uri, content=_listing(relative, names), inclusion=InclusionLevel.INCLUDED
            )
            listing.dest_uri = f"{PREFIX}/{relative}/index.html"
            files.append(listing)
    return files
