"""Data shipped with unalpine: the apk→Debian package table (packages.toml) and
the Debian package-name indexes (debian/<suite>.txt.xz). Loaded by migrator.packages."""
