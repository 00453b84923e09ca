"""Coder subpackages (migrator.debian.coder_evidence): Alpine's
imagemagick-<format> map to the Debian package that holds that coder,
from mappings/debian/plugins.toml (mappings/refresh_plugins.py).

Alpine's side: the stored aports copy of community/imagemagick/APKBUILD
(pkgver 7.1.0.36, commit 01eb4f7e) predates the coder split, so no split
function is quoted here; the evidence is the names Alpine ships for it
(imagemagick-pdf, -jpeg, -raw, -tiff, -heic, -webp, -svg, as official
images' Alpine variants install them), which the name rule reads."""

import importlib.util
import sys
from pathlib import Path

import pytest

from migrator.alpine.facts import facts as alpine_facts
from migrator.debian.coder_evidence import coder_of, holders
from migrator.debian.names import resolve

REPO = Path(__file__).resolve().parent.parent


def _refresh():
    sys.path.insert(0, str(REPO / "mappings"))
    try:
        spec = importlib.util.spec_from_file_location("refresh_plugins", REPO / "mappings" / "refresh_plugins.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(REPO / "mappings"))


# lines of Debian bookworm's main/Contents-amd64 (2026-07-11), as they are
CONTENTS = b"""\
usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11/modules-Q16/coders/jpeg.la libs/libmagickcore-6.q16-6
usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11/modules-Q16/coders/jpeg.so libs/libmagickcore-6.q16-6
usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11/modules-Q16/coders/svg.so libs/libmagickcore-6.q16-6-extra
usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11/modules-Q16HDRI/coders/svg.so libs/libmagickcore-6.q16hdri-6-extra
usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11/config-Q16/configure.xml libs/libmagickcore-6.q16-6
usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-svg.so libs/librsvg2-common
usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-webp.so gnome/webp-pixbuf-loader
usr/share/GraphicsMagick-1.3.40/config/modules.mgk      libs/libgraphicsmagick-q16-3
"""

# stanzas of Debian bookworm's main/binary-amd64/Packages, the fields that count
PACKAGES = b"""\
Package: imagemagick
Depends: imagemagick-6.q16 (>= 8:6.9.2.10+dfsg-2~)

Package: imagemagick-6.q16
Provides: imagemagick, imagemagick-6.defaultquantum
Depends: libc6 (>= 2.34), libmagickcore-6.q16-6 (>= 8:6.9.10.2), libmagickwand-6.q16-6 (>= 8:6.9.10.2), hicolor-icon-theme
Recommends: libmagickcore-6.q16-6-extra, ghostscript, netpbm

Package: libmagickcore-6.q16-6
Depends: libc6 (>= 2.35), zlib1g (>= 1:1.1.4), imagemagick-6-common (>= 8:6.9.6.2+dfsg-3)
Pre-Depends: dpkg (>= 1.17.6)

Package: libmagickcore-6.q16-6-extra
Depends: libc6 (>= 2.35), libmagickcore-6.q16-6 (>= 8:6.9.11.24), libmagickwand-6.q16-6 (>= 8:6.9.10.2)
"""


def test_refresh_reads_coders_and_loaders_from_contents():
    found = _refresh().modules(CONTENTS)
    # the Q16 build only (Debian's imagemagick is Q16), the .la and .so once
    assert found["imagemagick"] == {"libmagickcore-6.q16-6": {"jpeg"}, "libmagickcore-6.q16-6-extra": {"svg"}}
    assert found["gdk-pixbuf"] == {"librsvg2-common": {"svg"}, "webp-pixbuf-loader": {"webp"}}


def test_refresh_follows_depends_not_recommends():
    closure = _refresh().depends_closure(PACKAGES, "imagemagick")
    assert {"imagemagick", "imagemagick-6.q16", "libmagickcore-6.q16-6"} <= closure
    # Recommends are not installed (--no-install-recommends): -extra is not there
    assert "libmagickcore-6.q16-6-extra" not in closure


def test_rendered_table_reads_back():
    import tomllib

    refresh = _refresh()
    found = refresh.modules(CONTENTS)
    closure = {"imagemagick": refresh.depends_closure(PACKAGES, "imagemagick"), "gdk-pixbuf": set()}
    text = refresh.render({"bookworm": ("Sat, 11 Jul 2026 10:16:37 UTC", found, closure)}, "2026-12-07")
    table = tomllib.loads(text)
    assert table["bookworm"]["imagemagick"]["with_main"] == ["libmagickcore-6.q16-6"]
    assert table["bookworm"]["imagemagick"]["libmagickcore-6.q16-6-extra"] == ["svg"]
    assert table["bookworm"]["release"].startswith("Sat, 11 Jul 2026")


@pytest.mark.parametrize(("suite", "core"), [("bullseye", "libmagickcore-6.q16-6"), ("bookworm", "libmagickcore-6.q16-6"),
                                             ("trixie", "libmagickcore-7.q16-10")])
def test_shipped_table(suite, core):
    found = holders("imagemagick", suite)
    assert found["svg"] == (f"{core}-extra",)
    for coder in ("jpeg", "heic", "pdf", "webp", "tiff", "raw", "png"):
        assert found[coder] == (core,)


@pytest.mark.parametrize(("apk", "coders"), [
    ("imagemagick-svg", ["svg"]), ("imagemagick-heic", ["heic"]), ("imagemagick-jpeg", ["jpeg"]),
])
def test_coder_names(apk, coders):
    family, main, found, how = coder_of(apk, alpine_facts(apk))
    assert (family, main, found) == ("imagemagick", "imagemagick", coders)
    assert "imagemagick-<format>" in how


@pytest.mark.parametrize("apk", ["imagemagick-c++", "imagemagick-perlmagick-doc", "graphicsmagick-dev", "vips-heif"])
def test_not_coder_names(apk):
    assert coder_of(apk, alpine_facts(apk)) is None


@pytest.mark.parametrize(("apk", "suite", "want", "extra"), [
    # Debian keeps svg (librsvg), wmf, djvu, exr, pango and dot apart, in -extra (which
    # nextcloud's Debian variant installs where its Alpine variant installs coders)
    ("imagemagick-svg", "bookworm", "libmagickcore-6.q16-6-extra", False),
    ("imagemagick-svg", "trixie", "libmagickcore-7.q16-10-extra", False),
    ("imagemagick-heic", "bullseye", "libmagickcore-6.q16-6", True),
    ("imagemagick-jpeg", "trixie", "libmagickcore-7.q16-10", True),
    ("imagemagick-pdf", "bookworm", "libmagickcore-6.q16-6", True),
])
def test_resolve(apk, suite, want, extra):
    res = resolve(apk, suite)
    assert res.recommended == want
    assert res.role == "plugin"
    assert "imagemagick-<format>" in res.role_text
    assert f"ships ImageMagick's {apk.split('-')[1]} coder" in res.why
    # a coder that Debian's imagemagick pulls in already: the why says so
    assert ("Debian's imagemagick installs" in res.why) is extra
    # both sides in --explain
    text = "\n".join(res.explain())
    assert "coder: Debian" in text and "alpine: " + apk in text
    # Alpine's stored APKBUILD is older than the split: the explanation says it lists no such package
    assert f"community/imagemagick/APKBUILD (pkgver 7.1.0.36) does not list {apk}" in text


def test_unknown_coder_falls_back_to_the_name_rules():
    # no Debian coder of that name: the ordinary resolver answers (nothing here)
    res = resolve("imagemagick-nosuchformat", "bookworm")
    assert res.role != "plugin"
