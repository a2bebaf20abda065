//! Every process a test starts ends within [`BOUND`]: one still running then
//! is killed and the test fails, naming the program and showing what it had
//! printed. Without this a hang held the whole run until CI's own limit, with
//! nothing to say which test or why (a `serve` printing PowerShell where the
//! test waited for bash lines once held a CI run for 90 minutes).

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// Far longer than any command here takes, even under wine on a loaded
/// machine, and far shorter than CI's limit.
pub const BOUND: Duration = Duration::from_secs(120);

/// How often a running child is looked at: small next to a process start.
const POLL: Duration = Duration::from_millis(5);

pub trait BoundedCommand {
    /// [`Command::output`] within [`BOUND`]: stdin empty, stdout and stderr
    /// collected.
    fn bounded_output(&mut self) -> io::Result<Output>;
}

impl BoundedCommand for Command {
    fn bounded_output(&mut self) -> io::Result<Output> {
        let child = self
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        Ok(finish(child, &describe(self)))
    }
}

pub trait BoundedChild {
    /// [`Child::wait_with_output`] within [`BOUND`] from now.
    fn bounded_wait_with_output(self) -> io::Result<Output>;
    /// [`Child::wait`] within [`BOUND`] from now.
    fn bounded_wait(&mut self) -> io::Result<ExitStatus>;
}

impl BoundedChild for Child {
    fn bounded_wait_with_output(self) -> io::Result<Output> {
        let what = format!("process {}", self.id());
        Ok(finish(self, &what))
    }

    fn bounded_wait(&mut self) -> io::Result<ExitStatus> {
        match exited_by(self, Instant::now() + BOUND)? {
            Some(status) => Ok(status),
            None => panic!("process {} still ran after {BOUND:?}; killed it", self.id()),
        }
    }
}

/// `child`'s exit status once it exits, or `None` (it is then killed and
/// reaped) if it still runs at `deadline`.
fn exited_by(child: &mut Child, deadline: Instant) -> io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        thread::sleep(POLL);
    }
}

/// The program and its arguments, for the failure message.
fn describe(cmd: &Command) -> String {
    let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
    format!("{} {}", cmd.get_program().to_string_lossy(), args.join(" "))
}

/// Waits for `child` and for its output pipes to close (a grandchild may
/// hold them), killing it and failing once [`BOUND`] has passed.
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + BOUND;
    drop(child.stdin.take());
    let stdout = child.stdout.take().map(Pipe::read);
    let stderr = child.stderr.take().map(Pipe::read);
    let status =
        exited_by(&mut child, deadline).unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
    let Some(status) = status else {
        panic!(
            "{what} still ran after {BOUND:?}; killed it.\nstdout:\n{}\nstderr:\n{}",
            Pipe::so_far(&stdout),
            Pipe::so_far(&stderr)
        );
    };
    let collect = |pipe: Option<Pipe>, name: &str| {
        let Some(pipe) = pipe else {
            return Vec::new();
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if pipe.closed.recv_timeout(left).is_err() {
            panic!(
                "{what} exited ({status}), but its {name} was still open after {BOUND:?}: {}",
                Pipe::so_far(&Some(pipe))
            );
        }
        std::mem::take(&mut *pipe.bytes.lock().unwrap())
    };
    Output {
        status,
        stdout: collect(stdout, "stdout"),
        stderr: collect(stderr, "stderr"),
    }
}

/// What a child writes to one pipe, read as it comes.
struct Pipe {
    bytes: Arc<Mutex<Vec<u8>>>,
    /// Says when the pipe has closed.
    closed: mpsc::Receiver<()>,
}

impl Pipe {
    fn read(mut pipe: impl Read + Send + 'static) -> Pipe {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (sender, closed) = mpsc::channel();
        let filled = Arc::clone(&bytes);
        thread::spawn(move || {
            let mut chunk = [0; 8192];
            // A read error ends the output as a closed pipe would.
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                filled.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
            let _ = sender.send(());
        });
        Pipe { bytes, closed }
    }

    /// What has come so far, as text.
    fn so_far(pipe: &Option<Pipe>) -> String {
        pipe.as_ref()
            .map(|p| String::from_utf8_lossy(&p.bytes.lock().unwrap()).into_owned())
            .unwrap_or_default()
    }
}
