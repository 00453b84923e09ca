"""Alpine's side of a package name: what an Alpine package contains, as its APKBUILD shows."""
