//! Readiness (being written).
