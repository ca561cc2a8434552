//! End-to-end tests: real HTTPS/HTTP over loopback against a started emulator.

mod admin;
mod common;
mod discovery;
mod faults;
mod imds;
mod token;
