//! The loopback listener the browser comes back to at the end of the
//! authorization code flow (RFC 8252 §7.3): `http://127.0.0.1:PORT/oauth/callback`
//! on a port the OS picks. It is bound before the browser opens and stays
//! bound until the sign-in ends, so a browser that is already signed in and
//! redirects at once still finds it (aws-sso-cli#1441). The browser's request
//! is answered only once the sign-in has finished, with a page that says how
//! it went.

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONNECTION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use crate::error::{Error, Result};
use crate::loopback::{self, Limits};
use crate::secret::Secret;

/// The callback's path, as the AWS CLI registers it.
pub const PATH: &str = "/oauth/callback";

/// How long the landing page may take to reach the browser before the
/// sign-in ends without waiting for it.
const PAGE_DELIVERY: Duration = Duration::from_secs(2);

/// What the browser brought back.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Code {
        code: Secret,
        state: Option<String>,
    },
    /// `error=access_denied` and friends (RFC 6749 §4.1.2.1).
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

/// The browser's visit, waiting for the page that answers it. It keeps the
/// listener's server running until then.
pub struct Callback {
    pub answer: Answer,
    page: oneshot::Sender<Page>,
    /// Closed once the connection that carried the visit is done.
    delivered: oneshot::Receiver<()>,
    server: Option<Server>,
}

impl Callback {
    /// Answer the browser, and give the page a moment to get there before
    /// the process moves on (and perhaps exits).
    pub async fn respond(self, page: Page) {
        if self.page.send(page).is_ok() {
            let _ = tokio::time::timeout(PAGE_DELIVERY, self.delivered).await;
        }
    }
}

/// The page the browser lands on.
pub struct Page {
    ok: bool,
    message: String,
}

impl Page {
    pub fn done(message: impl Into<String>) -> Page {
        Page {
            ok: true,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Page {
        Page {
            ok: false,
            message: message.into(),
        }
    }

    fn html(&self) -> String {
        let (title, advice) = match self.ok {
            true => (
                "Signed in",
                "You can close this tab and go back to the terminal.",
            ),
            false => (
                "Sign-in failed",
                "Nothing was saved. The terminal says what to do next.",
            ),
        };
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>ssoenv: {title}</title></head>\
             <body style=\"font-family: sans-serif; margin: 3em\">\
             <h1>{title}</h1><p>{}</p><p>{advice}</p></body></html>\n",
            escape(&self.message)
        )
    }
}

/// The bound listener and the server that answers on it; dropping it closes
/// the port and ends every connection.
pub struct Listener {
    redirect_uri: String,
    callbacks: mpsc::Receiver<Callback>,
    server: Server,
}

/// The task that serves the port; aborted (with its connections) on drop.
struct Server(JoinSet<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort_all();
    }
}

impl Listener {
    pub async fn bind() -> Result<Listener> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| Error::failed(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("read the callback address", e))?
            .port();
        let (sender, callbacks) = mpsc::channel(1);
        let mut server = JoinSet::new();
        server.spawn(accept(listener, sender));
        crate::trace!("listening for the browser on 127.0.0.1:{port}");
        Ok(Listener {
            redirect_uri: format!("http://127.0.0.1:{port}{PATH}"),
            callbacks,
            server: Server(server),
        })
    }

    /// `http://127.0.0.1:PORT/oauth/callback`: for /authorize and CreateToken alike.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The first visit to the callback with a code or an error. Other
    /// requests (a favicon, a malformed visit) are answered and skipped.
    /// The listener lives on in the callback until it is answered.
    pub async fn next(mut self) -> Callback {
        match self.callbacks.recv().await {
            Some(mut callback) => {
                callback.server = Some(self.server);
                callback
            }
            // Only if the server task died; nothing more will come.
            None => std::future::pending().await,
        }
    }
}

/// The browser's connections get the limits of every loopback server: any
/// local user can connect to the port while the sign-in waits.
const LIMITS: Limits = Limits {
    connections: 16,
    header_timeout: loopback::HEADER_TIMEOUT,
};

async fn accept(listener: TcpListener, callbacks: mpsc::Sender<Callback>) {
    let connect = move || {
        let callbacks = callbacks.clone();
        // Dropped with the connection's handler, when the connection closes:
        // the page is written (or the browser went away), and respond() may
        // return.
        let (delivered, delivered_rx) = oneshot::channel::<()>();
        let delivered_rx = Arc::new(Mutex::new(Some(delivered_rx)));
        move |request| {
            let _connection_open = &delivered;
            let (callbacks, delivered_rx) = (callbacks.clone(), delivered_rx.clone());
            async move { handle(request, callbacks, delivered_rx).await }
        }
    };
    match loopback::serve_connections(listener, LIMITS, connect).await {}
}

async fn handle(
    request: Request<Incoming>,
    callbacks: mpsc::Sender<Callback>,
    delivered: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
) -> Response<Full<Bytes>> {
    if request.method() != Method::GET {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "Only GET is served here.");
    }
    if request.uri().path() != PATH {
        return reply(StatusCode::NOT_FOUND, "Not found.");
    }
    let Some(answer) = parse(request.uri().query().unwrap_or("")) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "This address expects the sign-in's code or error; it got neither.",
        );
    };
    let (page, page_rx) = oneshot::channel();
    // One visit per connection is waited for; a second one on the same
    // connection is answered without that wait.
    let delivered = delivered
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or_else(|| oneshot::channel().1);
    let callback = Callback {
        answer,
        page,
        delivered,
        server: None,
    };
    if callbacks.send(callback).await.is_err() {
        return reply(
            StatusCode::GONE,
            "ssoenv is no longer waiting for this sign-in.",
        );
    }
    let page = page_rx.await.unwrap_or_else(|_| {
        Page::failed("ssoenv stopped before it finished the sign-in; see the terminal.")
    });
    let status = match page.ok {
        true => StatusCode::OK,
        false => StatusCode::BAD_REQUEST,
    };
    let mut response = Response::new(Full::new(Bytes::from(page.html())));
    *response.status_mut() = status;
    headers(&mut response);
    response
}

fn reply(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(Page::failed(text).html())));
    *response.status_mut() = status;
    headers(&mut response);
    response
}

fn headers(response: &mut Response<Full<Bytes>>) {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // One exchange: closing tells serve() the page is out.
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
}

/// The callback's query: `code` and `state`, or `error` (with
/// `error_description` and `state`), decoded as a browser's form would be.
fn parse(query: &str) -> Option<Answer> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in crate::loopback::form_pairs(query) {
        match name.as_str() {
            "code" => code = Some(value),
            "state" => state = Some(value),
            "error" => error = Some(value),
            "error_description" => description = Some(value),
            _ => {}
        }
    }
    match (error, code) {
        (Some(error), _) => Some(Answer::Error {
            error,
            description,
            state,
        }),
        (None, Some(code)) if !code.is_empty() => Some(Answer::Code {
            code: Secret::from(code),
            state,
        }),
        _ => None,
    }
}

/// Text for HTML: the error description comes from the URL, which anyone
/// could have crafted.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `127.0.0.1:PORT`, where the listener's callback is.
    fn address(listener: &Listener) -> String {
        let uri = listener.redirect_uri();
        let host = uri
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix(PATH));
        host.unwrap().to_string()
    }

    /// What the drop is for: when the browser cannot be opened the flow
    /// falls back to a code and waits minutes more, and the port the
    /// browser would have come back to must not stay open meanwhile.
    #[tokio::test]
    async fn dropping_the_listener_closes_the_port_and_its_connections() {
        use tokio::io::AsyncReadExt;
        use tokio::net::TcpStream;

        let listener = Listener::bind().await.unwrap();
        let addr = address(&listener);
        let mut visitor = TcpStream::connect(&addr).await.unwrap();
        drop(listener);
        let mut byte = [0u8; 1];
        let ended = tokio::time::timeout(Duration::from_secs(5), visitor.read(&mut byte)).await;
        assert!(
            matches!(ended, Ok(Ok(0) | Err(_))),
            "the open connection was not ended: {ended:?}"
        );
        assert!(
            TcpStream::connect(&addr).await.is_err(),
            "{addr} still open"
        );
    }

    #[test]
    fn parses_codes_and_errors() {
        assert_eq!(
            parse("code=a%2Bb+c&state=s1"),
            Some(Answer::Code {
                code: Secret::from("a+b c"),
                state: Some("s1".into())
            })
        );
        assert_eq!(
            parse("error=access_denied&error_description=The+user+said+no&state=s"),
            Some(Answer::Error {
                error: "access_denied".into(),
                description: Some("The user said no".into()),
                state: Some("s".into())
            })
        );
        assert_eq!(parse(""), None);
        assert_eq!(parse("code=&state=s"), None);
        assert_eq!(parse("state=s"), None);
    }

    #[test]
    fn pages_escape_what_came_from_the_url() {
        let html = Page::failed("denied: <script>alert('x')</script>").html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(
            Page::done("Signed in to sso-session corp.")
                .html()
                .contains("close this tab")
        );
    }

    /// Connections that never send a request cannot keep the browser out:
    /// the callback is served within the limits of every loopback server.
    #[tokio::test]
    async fn idle_connections_cannot_keep_the_browser_out() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = Listener::bind().await.unwrap();
        let addr = address(&listener);
        let mut idle = Vec::new();
        for _ in 0..LIMITS.connections * 4 {
            idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
        }
        let browser = tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let request = format!("GET {PATH}?code=c&state=s HTTP/1.1\r\nHost: {addr}\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut page = String::new();
            stream.read_to_string(&mut page).await.unwrap();
            page
        });
        let bound = Duration::from_secs(30);
        let callback = tokio::time::timeout(bound, listener.next())
            .await
            .expect("the visit got in");
        assert!(matches!(&callback.answer, Answer::Code { state: Some(s), .. } if s == "s"));
        callback.respond(Page::done("ok")).await;
        let page = tokio::time::timeout(bound, browser).await.unwrap().unwrap();
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        drop(idle);
    }

    #[test]
    fn codes_stay_out_of_debug_output() {
        let answer = Answer::Code {
            code: Secret::from("the-code"),
            state: None,
        };
        assert!(!format!("{answer:?}").contains("the-code"));
    }
}
