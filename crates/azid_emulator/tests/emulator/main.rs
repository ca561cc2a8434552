//! End-to-end tests: real HTTPS/HTTP over loopback against a started emulator.

mod admin;
#[cfg(unix)]
mod binary;
mod common;
mod discovery;
mod faults;
mod imds;
mod keyvault;
mod mi_sources;
mod token;
