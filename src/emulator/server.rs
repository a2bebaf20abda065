//! The server thread: a current-thread tokio runtime of its own, so the emulator works the
//! same from synchronous tests and from inside another runtime.

use std::io;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::http;
use super::state::State;
use crate::loopback::{self, Limits};

/// Benchmarks run many clients at once against one emulator: room for them,
/// below common file-descriptor limits.
const LIMITS: Limits = Limits {
    connections: 256,
    header_timeout: loopback::HEADER_TIMEOUT,
};

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
    stopped: oneshot::Receiver<()>,
) {
    let serving = loopback::serve(listener, LIMITS, move |request| {
        let state = state.clone();
        async move { http::handle(&state, request).await }
    });
    tokio::select! {
        _ = stopped => {}
        never = serving => match never {},
    }
}
