"""Reports: Qt-free. Immutable report data in, PDF bytes out."""
