//! The command line, in one place.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ssoenv",
    version,
    about = "IAM Identity Center (AWS SSO) credentials for your shell and tools",
    after_help = "Exit codes: 0 ok, 1 error, 2 usage or configuration error, 3 sign-in required \
                  (run `ssoenv login`), 130 interrupted; `exec` exits with the command's status."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Trace what happens (endpoints, cache files, locks, retries) on stderr;
    /// never prints a token or key. Also SSOENV_LOG=1.
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// Seconds one call to Identity Center may take, retries included.
    #[arg(
        long,
        global = true,
        env = "SSOENV_TIMEOUT",
        default_value_t = 10.0,
        value_name = "SECS"
    )]
    pub timeout: f64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with the device flow and cache the token where the AWS CLI finds it.
    Login(LoginArgs),
    /// Sign out: end the session at Identity Center and delete its cached token and credentials.
    Logout(LogoutArgs),
    /// Print a profile's credentials as shell code, a .env file or JSON.
    Export(ExportArgs),
    /// Run a command with a profile's credentials in its environment.
    Exec(ExecArgs),
    /// Print credentials in the credential_process format (for `credential_process = ssoenv credential-process NAME`).
    CredentialProcess(ProfileArg),
    /// Show sign-in and credential state from the caches, without network calls.
    Status(StatusArgs),
    /// Try ssoenv without an AWS account: a local Identity Center, a throwaway config, a subshell.
    #[cfg(feature = "emulator")]
    Sandbox(SandboxArgs),
    /// Run the local Identity Center emulator (for demos, scripts and benchmarks).
    #[cfg(feature = "emulator")]
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Profile whose SSO session to sign in to (default: AWS_PROFILE, else `default`).
    pub profile: Option<String>,
    /// Sign in to this [sso-session] instead of a profile's.
    #[arg(long, conflicts_with = "profile")]
    pub sso_session: Option<String>,
    /// Only print the sign-in URL and code; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Profile whose SSO session to sign out of (default: AWS_PROFILE, else `default`).
    pub profile: Option<String>,
    /// Sign out of this [sso-session].
    #[arg(long, conflicts_with = "profile")]
    pub sso_session: Option<String>,
    /// Sign out of every cached session, like `aws sso logout`.
    #[arg(long, conflicts_with_all = ["profile", "sso_session"])]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Profile (default: AWS_PROFILE, else `default`).
    pub profile: Option<String>,
    /// Output format (default: the shell named by $SHELL, else `env`).
    #[arg(long, short)]
    pub format: Option<crate::cmd::export::Format>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    pub profile: String,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ProfileArg {
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Profile to show (default: AWS_PROFILE; with neither, every SSO session).
    pub profile: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Shell to start (default: $SHELL, else bash).
    #[arg(long)]
    pub shell: Option<std::path::PathBuf>,
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How device sign-ins are approved.
    #[arg(long, value_enum, default_value = "auto")]
    pub approval: crate::cmd::emulator::ApprovalArg,
    /// Lifetime of role credentials, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub credentials_ttl: u64,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 8 * 3600)]
    pub token_ttl: u64,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}
