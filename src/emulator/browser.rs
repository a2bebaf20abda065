//! A stand-in for the user's web browser in the authorization code flow, for the sandbox
//! and the tests: it opens the sign-in URL and follows the redirects, as a browser does,
//! to the loopback callback of the waiting `ssoenv login`, and reads the page it lands on.
//!
//! Plain HTTP/1.1 over `http://` URLs only: the emulator and the callback both live on
//! loopback addresses.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

/// Longest wait for an answer: a manual `/authorize` answers only once approved.
const READ_TIMEOUT: Duration = Duration::from_secs(11 * 60);
const MAX_REDIRECTS: usize = 5;

/// The BROWSER value that makes `ssoenv` (at `exe`) a stand-in browser:
/// each URL it is given is appended, as a line, to `file`, where the
/// sandbox or a test picks it up and opens it with [`browse`]. Quoted as
/// BROWSER is read on this platform (shell words on Unix, a Windows command
/// line on Windows), so it works the same everywhere.
pub fn hand_off_command(exe: &Path, file: &Path) -> String {
    let quote = |p: &Path| {
        let p = p.to_string_lossy();
        match cfg!(windows) {
            // A Windows path cannot hold `"`.
            true => format!("\"{p}\""),
            false => shell_words::quote(&p).into_owned(),
        }
    };
    format!("{} emulator --hand-off {}", quote(exe), quote(file))
}

/// What the stand-in browser does: append `url` to `file` as one line (one
/// write, so URLs handed off at once do not interleave).
pub fn hand_off(file: &Path, url: &str) -> io::Result<()> {
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    out.write_all(format!("{url}\n").as_bytes())
}

/// The page the browser ended on.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The URL of the last request (the callback, after a sign-in).
    pub url: String,
    pub status: u16,
    pub body: String,
}

/// Opens `url` and follows its redirects.
pub fn browse(url: &str) -> io::Result<Visit> {
    browse_with(url, str::to_string)
}

/// Like [`browse`], but `redirect` sees each redirect target first and returns the URL to
/// follow instead, e.g. a tampered one.
pub fn browse_with(url: &str, mut redirect: impl FnMut(&str) -> String) -> io::Result<Visit> {
    let mut url = url.to_string();
    for _ in 0..=MAX_REDIRECTS {
        let response = get(&url)?;
        match response.location {
            Some(location) if (300..400).contains(&response.status) => url = redirect(&location),
            _ => {
                return Ok(Visit {
                    url,
                    status: response.status,
                    body: response.body,
                });
            }
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

struct Response {
    status: u16,
    location: Option<String>,
    body: String,
}

fn get(url: &str) -> io::Result<Response> {
    let invalid =
        |what: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {url}"));
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: ssoenv-stand-in-browser\r\n\
         Accept: text/html\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw).ok_or_else(|| invalid("unreadable answer"))
}

/// Status, Location and body of an HTTP/1.1 answer (`Connection: close`, so the body is
/// what follows the head, cut to Content-Length when there is one).
fn parse(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut location = None;
    let mut length = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("location") {
            location = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = &raw[end + 4..];
    if let Some(length) = length {
        body = &body[..length.min(body.len())];
    }
    Some(Response {
        status,
        location,
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_redirect_and_a_page() {
        let r = parse(b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/cb?code=x\r\ncontent-length: 0\r\n\r\n").unwrap();
        assert_eq!(r.status, 302);
        assert_eq!(r.location.as_deref(), Some("http://127.0.0.1:1/cb?code=x"));
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more").unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "hello"));
        assert!(parse(b"garbage").is_none());
    }
}
