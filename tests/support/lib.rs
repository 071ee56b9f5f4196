//! Helpers shared by the cross-tool tests in `tests/`.
