//! The server thread: a current-thread tokio runtime of its own, so the emulator works the
//! same from synchronous tests and from inside another runtime.

use std::convert::Infallible;
use std::io;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use super::http;
use super::state::State;

/// Starts serving `listener` on a new thread. The server stops when the returned sender is
/// dropped; joining the thread then takes only as long as dropping its runtime.
pub(super) fn spawn(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
) -> io::Result<(oneshot::Sender<()>, JoinHandle<()>)> {
    listener.set_nonblocking(true)?;
    let (stop, stopped) = oneshot::channel();
    let (ready, is_ready) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("sso-emulator".to_string())
        .spawn(move || {
            // The runtime is built and dropped on this thread: dropping a runtime inside
            // the caller's async context would panic.
            let started = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .and_then(|runtime| {
                    let listener = {
                        let _context = runtime.enter();
                        TcpListener::from_std(listener)?
                    };
                    Ok((runtime, listener))
                });
            match started {
                Ok((runtime, listener)) => {
                    let _ = ready.send(Ok(()));
                    // Dropping the runtime afterwards cancels every connection task, hanging
                    // ones included, and closes their sockets.
                    runtime.block_on(accept_loop(listener, state, stopped));
                }
                Err(err) => {
                    let _ = ready.send(Err(err));
                }
            }
        })?;
    match is_ready.recv() {
        Ok(Ok(())) => Ok((stop, thread)),
        Ok(Err(err)) => Err(err),
        Err(_) => Err(io::Error::other("emulator thread died while starting")),
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, state.clone()));
                }
                // Typically out of file descriptors while many clients connect at once:
                // wait for some to close instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

async fn serve_connection(stream: TcpStream, state: Arc<Mutex<State>>) {
    // Small request/response exchanges: do not let Nagle delay them.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(http::handle(&state, request).await) }
    });
    // Errors here are clients going away mid-request, which is theirs to report.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
