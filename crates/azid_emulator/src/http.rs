//! Request/response plumbing shared by the handlers: a fully read request, and response builders.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Response, StatusCode};

pub(crate) type Body = Full<Bytes>;

pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// A request whose body has been read; handlers are plain functions of it.
#[derive(Debug)]
pub(crate) struct Req {
  pub method: Method,
  pub path: String,
  pub query: Vec<(String, String)>,
  pub headers: HeaderMap,
  pub body: Bytes,
}

impl Req {
  pub fn query_param(&self, name: &str) -> Option<&str> {
    find(&self.query, name)
  }

  pub fn header(&self, name: &str) -> Option<&str> {
    self.headers.get(name).and_then(|v| v.to_str().ok())
  }

  /// The caller's correlation ID: header, then query, then form body (reference §1.1).
  /// Only sane values are echoed, since they go back into a response header.
  pub fn client_request_id(&self, form: &[(String, String)]) -> Option<String> {
    self
      .header("client-request-id")
      .or_else(|| self.query_param("client-request-id"))
      .or_else(|| find(form, "client-request-id"))
      .map(str::trim)
      .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
      .map(str::to_string)
  }

  /// The body as `application/x-www-form-urlencoded` pairs (percent-decoded).
  pub fn form(&self) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&self.body).into_owned().collect()
  }
}

pub(crate) fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
  pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(crate) fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
  let mut resp = Response::new(Full::new(body.into()));
  *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
  set_header(&mut resp, CONTENT_TYPE, content_type);
  resp
}

pub(crate) fn json(status: u16, body: impl Into<Bytes>) -> Response<Body> {
  response(status, JSON, body)
}

/// Sets a header, skipping values that are not legal in HTTP (e.g. a control character
/// in an echoed client value).
pub(crate) fn set_header(resp: &mut Response<Body>, name: impl Into<HeaderName>, value: &str) {
  if let Ok(v) = HeaderValue::from_str(value) {
    resp.headers_mut().insert(name.into(), v);
  }
}

/// Headers every Entra (ESTS) response carries (reference §1.1).
pub(crate) fn add_entra_headers(
  resp: &mut Response<Body>,
  trace_id: &str,
  client_request_id: Option<&str>,
) {
  set_header(resp, CACHE_CONTROL, "no-store, no-cache");
  set_header(resp, HeaderName::from_static("x-ms-request-id"), trace_id);
  set_header(
    resp,
    HeaderName::from_static("x-ms-ests-server"),
    "2.1.azid-emulator - LOCAL ProdSlices",
  );
  if let Some(id) = client_request_id {
    set_header(resp, HeaderName::from_static("client-request-id"), id);
  }
}

/// The percent-decoding of RFC 6749 §2.3.1 (form encoding: `+` is a space).
pub(crate) fn form_decode(s: &str) -> String {
  let bytes = s.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    match bytes[i] {
      b'+' => out.push(b' '),
      b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
        (Some(h), Some(l)) => {
          out.push(h * 16 + l);
          i += 2;
        }
        _ => out.push(b'%'),
      },
      b => out.push(b),
    }
    i += 1;
  }
  String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
  (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
  #[test]
  fn form_decode_handles_escapes() {
    assert_eq!(super::form_decode("a%3Ab+c%"), "a:b c%");
    assert_eq!(super::form_decode("%zz%41"), "%zzA");
  }
}
