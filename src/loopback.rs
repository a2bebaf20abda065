//! HTTP/1 on a loopback socket, for the credential endpoint and the
//! emulator: the accept loop, its limits, and the reply builders.
//!
//! Any local user can connect to a loopback port, token or not, so the loop
//! must not let connections that never send a request take it over: a few
//! hundred of them once used up the server's file descriptors, and no
//! request got in again. So a client gets a few seconds to send each
//! request's headers, and a server holds a fixed number of connections, well
//! below the file-descriptor limit. When all of them are taken, the ones
//! waiting for a request are closed to make room, as nginx closes its
//! "reusable" connections when it runs out; those in the middle of a request
//! finish it first.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::futures::OwnedNotified;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

pub type Reply = Response<Full<Bytes>>;

/// What a server allows its clients.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once.
    pub connections: usize,
    /// How long a client has to send a request's headers, counted from when
    /// it connects or from the end of its previous request. An idle
    /// keep-alive connection is closed after this long; clients open a new
    /// one.
    pub header_timeout: Duration,
}

/// Local clients send their headers at once: a few seconds leave room for
/// a loaded machine.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve `listener` until this future is dropped (which closes the
/// connections still open), answering every request with `handle`.
pub async fn serve<H, F>(listener: TcpListener, limits: Limits, handle: H) -> Infallible
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    serve_connections(listener, limits, move || handle.clone()).await
}

/// Like [`serve`], with a handler made by `connect` for each connection and
/// dropped when the connection closes: for servers that need to know when
/// what they answered on a connection is out (the sign-in's callback).
pub async fn serve_connections<C, H, F>(
    listener: TcpListener,
    limits: Limits,
    connect: C,
) -> Infallible
where
    C: Fn() -> H,
    H: Fn(Request<Incoming>) -> F + Send + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    // Dropped with this future: that ends the open connections too.
    let mut connections = JoinSet::new();
    let slots = Arc::new(Semaphore::new(limits.connections));
    let make_room = Arc::new(Notify::new());
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                make_room.notify_waiters();
                match slots.clone().acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => unreachable!("the semaphore is never closed"),
                }
            }
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, typically (other files of the process
            // count too): wait for some to close instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Registered here, not in the task: a connection accepted just
        // before the server is full must hear the call to make room too.
        let room_wanted = make_room.clone().notified_owned();
        let connection = connection(stream, limits, slot, room_wanted, connect());
        connections.spawn(connection);
        // Reap the finished ones, so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
}

/// One connection. It holds `_slot` until it is closed (parameters are
/// dropped after the locals, the connection among them).
async fn connection<H, F>(
    stream: TcpStream,
    limits: Limits,
    _slot: OwnedSemaphorePermit,
    room_wanted: OwnedNotified,
    handle: H,
) where
    H: Fn(Request<Incoming>) -> F + Send + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    // Small request/response exchanges: do not let Nagle delay them.
    let _ = stream.set_nodelay(true);
    // HTTP/1 answers one request at a time: set from the moment its headers
    // are in until its answer is ready (hyper writes it out in the same poll).
    let in_request = Arc::new(AtomicBool::new(false));
    let service = service_fn({
        let in_request = in_request.clone();
        move |request| {
            in_request.store(true, Ordering::Relaxed);
            let answer = handle(request);
            let in_request = in_request.clone();
            async move {
                let reply = answer.await;
                in_request.store(false, Ordering::Relaxed);
                Ok::<_, Infallible>(reply)
            }
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    // Errors here are clients going away or timing out, theirs to report.
    tokio::select! {
        // The connection first: an answer that is ready goes out before the
        // connection can be closed for room.
        biased;
        _ = connection.as_mut() => {}
        () = room_wanted => {
            if in_request.load(Ordering::Relaxed) {
                // Finish this request, then close.
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            // Otherwise dropping the connection closes it.
        }
    }
}

/// A response with this status, content type and body.
pub fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Decoded `application/x-www-form-urlencoded` pairs, as a browser's form
/// or a query string carries them (`+` is a space).
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A JSON response.
pub fn json(status: StatusCode, body: &serde_json::Value) -> Reply {
    reply(status, "application/json", body.to_string())
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::mpsc;

    use super::*;

    /// Longer than any test takes: a test that waits for it fails instead.
    const FOREVER: Duration = Duration::from_secs(3600);
    /// How long a test waits for what should happen at once before failing.
    const BOUND: Duration = Duration::from_secs(30);

    async fn start<H, F>(limits: Limits, handle: H) -> SocketAddr
    where
        H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
        F: Future<Output = Reply> + Send + 'static,
    {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, limits, handle));
        addr
    }

    async fn ok(_: Request<Incoming>) -> Reply {
        json(StatusCode::OK, &serde_json::json!({ "ok": true }))
    }

    async fn send_request(stream: &mut TcpStream) {
        let request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        stream.write_all(request).await.unwrap();
    }

    /// Everything the server sends until it closes the connection.
    async fn read_to_close(stream: &mut TcpStream) -> String {
        let mut received = String::new();
        tokio::time::timeout(BOUND, stream.read_to_string(&mut received))
            .await
            .expect("the server closed the connection")
            .unwrap();
        received
    }

    #[tokio::test]
    async fn a_full_server_closes_idle_connections_to_make_room() {
        let limits = Limits {
            connections: 4,
            header_timeout: FOREVER,
        };
        let addr = start(limits, ok).await;
        let mut idle = Vec::new();
        for _ in 0..limits.connections {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        let mut client = TcpStream::connect(addr).await.unwrap();
        let request = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        client.write_all(request).await.unwrap();
        let response = read_to_close(&mut client).await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with(r#"{"ok":true}"#), "{response}");
        for mut stream in idle {
            assert_eq!(read_to_close(&mut stream).await, "");
        }
    }

    #[tokio::test]
    async fn a_request_in_flight_is_answered_before_its_connection_makes_room() {
        let limits = Limits {
            connections: 1,
            header_timeout: FOREVER,
        };
        let (started, mut handler_started) = mpsc::unbounded_channel();
        let (release, released) = mpsc::unbounded_channel::<()>();
        let released = Arc::new(tokio::sync::Mutex::new(released));
        let addr = start(limits, move |_| {
            let (started, released) = (started.clone(), released.clone());
            async move {
                let _ = started.send(());
                released.lock().await.recv().await;
                json(StatusCode::OK, &serde_json::json!({}))
            }
        })
        .await;
        let mut busy = TcpStream::connect(addr).await.unwrap();
        send_request(&mut busy).await;
        handler_started.recv().await;
        // The server is full; this one waits for the request in flight.
        let mut next = TcpStream::connect(addr).await.unwrap();
        send_request(&mut next).await;
        release.send(()).unwrap();
        // Answered, then closed although it asked to be kept alive.
        let response = read_to_close(&mut busy).await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        handler_started.recv().await;
        release.send(()).unwrap();
        let mut response = [0; 17];
        next.read_exact(&mut response).await.unwrap();
        assert_eq!(&response, b"HTTP/1.1 200 OK\r\n");
    }

    #[tokio::test]
    async fn a_connection_without_headers_is_closed_after_the_timeout() {
        let limits = Limits {
            connections: 4,
            header_timeout: Duration::from_millis(50),
        };
        let addr = start(limits, ok).await;
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let mut partial = TcpStream::connect(addr).await.unwrap();
        partial.write_all(b"GET / HTTP/1.1\r\nHost").await.unwrap();
        assert_eq!(read_to_close(&mut silent).await, "");
        assert_eq!(read_to_close(&mut partial).await, "");
    }
}
