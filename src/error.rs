//! Engine errors cross into JS as an Error whose message is the error's JSON; the
//! TypeScript facade parses it into `CredentialUnavailableError`, `AuthenticationError`...

pub fn to_napi(e: azid_core::Error) -> napi::Error {
  napi::Error::new(napi::Status::GenericFailure, e.to_json())
}
