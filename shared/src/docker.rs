//! The Docker engine client (feature `docker`).
