"""Wheel-aware slimming: the Python requirements a Dockerfile installs, the
package index client and its cache, and the wheel-compatibility check that
decides which build-only packages a Debian image no longer needs."""
