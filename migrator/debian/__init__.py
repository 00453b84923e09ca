"""Debian's archive as data: name indexes derived from Contents/Sources, the
resolver that maps an Alpine name the table does not settle, and the
dependency resolver over the full Packages index."""
