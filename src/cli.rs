//! The command line, in one place.

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shell::ShellKind;

#[derive(Debug, Parser)]
#[command(
    name = "ssoenv",
    version,
    propagate_version = true,
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
        value_parser = seconds,
        default_value = "10",
        value_name = "SECS"
    )]
    pub timeout: Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (in the browser, or with a code) and cache the token where the AWS CLI finds it.
    Login(LoginArgs),
    /// Sign out: end the session at Identity Center and delete its cached token and credentials.
    Logout(LogoutArgs),
    /// Print a profile's credentials as shell code, a .env file or JSON.
    Export(ExportArgs),
    /// Run a command with a profile's credentials in its environment.
    Exec(ExecArgs),
    /// Write role credentials into the shared credentials file, for tools that read only static keys.
    ///
    /// Sections go into AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials)
    /// as `[NAME]` with aws_access_key_id, aws_secret_access_key,
    /// aws_session_token, `expiration` and `x_security_token_expires` (read by
    /// prompts such as starship), and the marker key `ssoenv_managed = true`.
    /// Everything else in the file stays byte for byte as it was. A section
    /// holding long-term keys (AKIA…) that ssoenv did not write is never
    /// replaced without --force.
    WriteCredentials(WriteCredentialsArgs),
    /// Serve a profile's credentials on a loopback endpoint for SDKs (AWS_CONTAINER_CREDENTIALS_FULL_URI).
    Serve(ServeArgs),
    /// Print credentials in the credential_process format (for `credential_process = ssoenv credential-process NAME`).
    CredentialProcess(ProfileArg),
    /// Show sign-in and credential state from the caches, without network calls.
    Status(StatusArgs),
    /// Open the AWS Management Console signed in as a profile's role.
    ///
    /// Signs in through the federation endpoint with the profile's role
    /// credentials (AWS_ENDPOINT_URL_SIGNIN redirects it). The browser is
    /// BROWSER, else the system's opener; --url prints the URL instead.
    Console(ConsoleArgs),
    /// Check the config, caches, shell integration, credentials file and clock; change nothing.
    ///
    /// Each check prints ✓ or ✗, and under each ✗ the fix; `–` marks what
    /// cannot be checked from here, with how to check it by hand. Exits 0
    /// when nothing failed, 1 otherwise.
    Doctor(DoctorArgs),
    /// List every account and role your sign-ins reach, and the profiles that already use them.
    ///
    /// Sorted by account name, then role. The list of each sso-session is
    /// cached for 12 hours (in $XDG_CACHE_HOME/ssoenv, default ~/.cache/ssoenv);
    /// --refresh fetches it again.
    List(ListArgs),
    /// Write a profile into your AWS config for every account and role an sso-session reaches.
    ///
    /// Each is a `[profile NAME]` in AWS_CONFIG_FILE (default ~/.aws/config)
    /// with sso_session, sso_account_id, sso_role_name, `region` with
    /// --region, and the marker key `ssoenv_generated = SESSION`. Only
    /// sections with that marker are ever changed or removed, and every
    /// other byte of the file stays as it was; a profile of the same name
    /// that populate did not write is left alone (and named). Keys you add
    /// to a generated profile are kept. Running it again changes nothing
    /// until your assignments do. The accounts and roles come from the list
    /// `ssoenv list` caches (12 hours; --refresh fetches it again).
    Populate(PopulateArgs),
    /// Print the shell integration: `eval "$(ssoenv init bash)"` in your rc file.
    Init(InitArgs),
    /// Switch this shell to a profile's credentials (needs `ssoenv init`).
    Use(UseArgs),
    /// Restore the environment from before the first `ssoenv use`.
    Off(OffArgs),
    /// Trust the nearest .ssoenv file, so entering its directory selects its profile.
    Allow(DirArgs),
    /// Block the nearest .ssoenv file.
    Deny(DirArgs),
    /// Print the active profile for a prompt (reads only environment variables).
    Prompt(PromptArgs),
    /// Print the shell completion script (profile names are completed from your config).
    Completions(CompletionsArgs),
    /// The prompt hook's work (run by the shell integration).
    #[command(hide = true)]
    Hook(HookArgs),
    /// Try ssoenv without an AWS account: a local Identity Center, a throwaway config, a subshell.
    #[cfg(feature = "emulator")]
    Sandbox(SandboxArgs),
    /// Run the local Identity Center emulator (for demos, scripts and benchmarks).
    #[cfg(feature = "emulator")]
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Profile (or ACCOUNT/ROLE) whose SSO session to sign in to (default:
    /// AWS_PROFILE, else a `default` profile, else the only sso-session).
    #[arg(add = targets())]
    pub profile: Option<String>,
    /// Sign in to this [sso-session] instead of a profile's.
    #[arg(long, conflicts_with = "profile")]
    pub sso_session: Option<String>,
    /// Sign in with a code (the device flow), on this or any other device,
    /// instead of in a browser that comes back to this machine.
    #[arg(long)]
    pub use_device_code: bool,
    /// Sign in with a code and only print the URL and code; open no browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Sign in again even if the cached sign-in has more than 15 minutes left.
    #[arg(long)]
    pub force: bool,
    /// Seconds to wait for the sign-in to be completed in the browser.
    #[arg(
        long,
        env = LOGIN_TIMEOUT_VAR,
        value_parser = login_timeout,
        default_value = "600",
        value_name = "SECS"
    )]
    pub login_timeout: Duration,
}

/// Read by clap for `login`, and by [`login_timeout_from_env`] for the
/// sign-ins other commands start: both through [`login_timeout`].
pub const LOGIN_TIMEOUT_VAR: &str = "SSOENV_LOGIN_TIMEOUT";

/// The longest wait a number of seconds may ask for: longer than anyone
/// waits, and far short of what would overflow a deadline.
const MAX_SECONDS: u64 = 24 * 60 * 60;

/// How long a sign-in waits for the user, from `--login-timeout` or
/// SSOENV_LOGIN_TIMEOUT: the one parser, so that every command takes the
/// same value the same way. Blank means the default, as an empty variable
/// means unset.
pub fn login_timeout(text: &str) -> Result<Duration, String> {
    match text.trim() {
        "" => Ok(crate::sso::login::DEFAULT_TIMEOUT),
        secs => seconds(secs),
    }
}

/// SSOENV_LOGIN_TIMEOUT as `ssoenv login` reads it, for the sign-ins that
/// other commands (`use`) start.
pub fn login_timeout_from_env() -> Result<Duration, String> {
    match std::env::var(LOGIN_TIMEOUT_VAR) {
        Ok(text) => login_timeout(&text),
        Err(std::env::VarError::NotPresent) => Ok(crate::sso::login::DEFAULT_TIMEOUT),
        Err(std::env::VarError::NotUnicode(_)) => Err("it is not valid UTF-8".into()),
    }
}

/// A positive number of seconds ("600", " 2.5 ", "1e3"), at most a day.
/// Surrounding blanks are allowed: a variable set as `" 5"` means 5.
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero() && d.as_secs_f64() <= MAX_SECONDS as f64)
        .ok_or_else(|| format!("expected a positive number of seconds, at most {MAX_SECONDS}"))
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Profile, or ACCOUNT/ROLE from the cached account lists, whose SSO
    /// session to sign out of (default: AWS_PROFILE, else `default`).
    #[arg(add = targets())]
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
    /// Profile, or ACCOUNT/ROLE (default: AWS_PROFILE, else `default`).
    #[arg(add = targets())]
    pub profile: Option<String>,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// AWS_REGION and AWS_DEFAULT_REGION (default: the profile's region;
    /// for ACCOUNT/ROLE, that of the `[default]` profile).
    #[arg(long)]
    pub region: Option<String>,
    /// Output format (default: the shell named by $SHELL, else `env`). The
    /// names of `aws configure export-credentials --format` work too.
    #[arg(long, short)]
    pub format: Option<Format>,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// POSIX sh `export` lines.
    Env,
    /// POSIX sh assignments, not exported.
    EnvNoExport,
    /// `set NAME=value` lines for Windows cmd.
    WindowsCmd,
    /// KEY=value lines for a .env file (docker compose, python-dotenv).
    Dotenv,
    /// NAME=value lines, values as they are, for `docker run --env-file`.
    DockerEnv,
    /// The credential_process JSON document.
    Json,
    /// The credential_process JSON document (as `json`).
    Process,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Profile, or ACCOUNT/ROLE, whose credentials CMD gets (default:
    /// AWS_PROFILE, else `default`).
    #[arg(add = targets())]
    pub profile: Option<String>,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// Give CMD a local credential endpoint instead of keys; SDKs fetch fresh
    /// credentials from it whenever theirs near expiry, for as long as CMD runs.
    #[arg(long)]
    pub server: bool,
    /// AWS_REGION and AWS_DEFAULT_REGION for CMD (default: the profile's
    /// region; for ACCOUNT/ROLE, that of the `[default]` profile).
    #[arg(long)]
    pub region: Option<String>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ProfileArg {
    /// Profile, or ACCOUNT/ROLE, whose credentials to print.
    #[arg(add = targets())]
    pub profile: String,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
}

#[derive(Debug, Args)]
pub struct WriteCredentialsArgs {
    /// Profiles (or ACCOUNT/ROLE targets) to write (default: AWS_PROFILE,
    /// else `default`); with --clean, sections to remove.
    #[arg(add = targets())]
    pub profiles: Vec<String>,
    #[arg(long, value_name = "NAME", conflicts_with_all = ["clean", "all"], help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// Every SSO profile in the config, fetched concurrently; with --clean, every section ssoenv wrote.
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
    /// Section to write (default: the profile's name, or `account-name/role`); `--as default` for tools that read only the default profile.
    #[arg(long = "as", value_name = "NAME", conflicts_with_all = ["all", "clean"])]
    pub section: Option<String>,
    /// Also write `region`: REGION, or the profile's own region with a bare
    /// --region (for ACCOUNT/ROLE, that of the `[default]` profile).
    #[arg(
        long,
        value_name = "REGION",
        num_args = 0..=1,
        require_equals = true,
        conflicts_with = "clean"
    )]
    pub region: Option<Option<String>>,
    /// Remove sections ssoenv wrote: the expired ones, the named ones, or all of them with --all.
    #[arg(long)]
    pub clean: bool,
    /// Replace a section even if it holds long-term keys ssoenv did not write.
    #[arg(long, conflicts_with = "clean")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Profile, or ACCOUNT/ROLE, to sign in as (default: AWS_PROFILE, else `default`).
    #[arg(add = targets())]
    pub profile: Option<String>,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// Open this service: ec2, s3, iam, lambda, cloudformation, ddb, logs, …
    /// (another name is used as the console path as given).
    #[arg(short, long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Console region (default: the profile's, else the SSO region).
    #[arg(long)]
    pub region: Option<String>,
    /// Open this console URL instead of a service's home.
    #[arg(long, value_name = "URL", conflicts_with = "service")]
    pub destination: Option<String>,
    /// Print the sign-in URL on stdout instead of opening a browser.
    #[arg(long)]
    pub url: bool,
    /// Console session length for SSO role credentials, 15 to 720 (default
    /// 60); a chained role's session lasts as long as its credentials.
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(15..=720))]
    pub duration: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Profile, or ACCOUNT/ROLE, whose credentials to serve.
    #[arg(add = targets())]
    pub profile: String,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Shell whose syntax the variables are printed in (default: the one
    /// named by $SHELL, else bash; PowerShell on Windows).
    #[arg(long, value_parser = SupportedShell)]
    pub shell: Option<ShellKind>,
    /// Region to print as AWS_REGION and AWS_DEFAULT_REGION (default: the
    /// profile's; for ACCOUNT/ROLE, that of the `[default]` profile).
    #[arg(long)]
    pub region: Option<String>,
}

/// What `--sso-session` means wherever a target is taken.
const SSO_SESSION_HELP: &str = "The sign-in to find ACCOUNT/ROLE in, when more than one \
    reaches it: an [sso-session] name (or a legacy profile's start URL)";

/// Completes targets: profile names from the user's AWS config, and
/// ACCOUNT/ROLE from the cached account lists.
fn targets() -> clap_complete::ArgValueCandidates {
    clap_complete::ArgValueCandidates::new(target_candidates)
}

/// Targets for completion (no network); nothing (rather than an error)
/// when the config cannot be read, and no warnings in the middle of the
/// command line.
fn target_candidates() -> Vec<clap_complete::CompletionCandidate> {
    let Ok(config) = crate::config::Config::load_without_warnings() else {
        return Vec::new();
    };
    crate::target::completions(&config)
        .into_iter()
        .map(|(value, about)| {
            clap_complete::CompletionCandidate::new(value).help(about.map(Into::into))
        })
        .collect()
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Shell to print the integration for.
    #[arg(value_parser = SupportedShell)]
    pub shell: ShellKind,
    /// Name of the wrapper function.
    #[arg(long, default_value = "ssoenv")]
    pub cmd: String,
    /// When the hook runs: before every prompt (directory profiles and
    /// renewal), only on directory change, or never.
    #[arg(long, value_enum, default_value = "prompt")]
    pub hook: Hook,
}

/// `init --hook`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hook {
    /// Check before every prompt: directory profiles and renewal.
    Prompt,
    /// Only when the directory changes (no renewal).
    Cd,
    /// No hook: only the wrapper function.
    None,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Profile, or ACCOUNT/ROLE (an account id or name and a role your
    /// sign-in reaches), to switch to (default: choose one on the terminal).
    #[arg(add = targets())]
    pub profile: Option<String>,
    #[arg(long, value_name = "NAME", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// AWS_REGION and AWS_DEFAULT_REGION (default: the profile's region;
    /// for ACCOUNT/ROLE, that of the `[default]` profile).
    #[arg(long)]
    pub region: Option<String>,
    /// Say nothing on success (by default one line tells what is active until when).
    #[arg(long, short)]
    pub quiet: bool,
    /// Restore the environment from before the first `use` (same as `ssoenv off`).
    #[arg(long, conflicts_with_all = ["profile", "sso_session", "region"])]
    pub off: bool,
    /// The shell that evaluates the output (set by the wrapper from `ssoenv init`).
    #[arg(long, hide = true)]
    pub shell: Option<ShellKind>,
}

#[derive(Debug, Args)]
pub struct OffArgs {
    #[arg(long, hide = true)]
    pub shell: Option<ShellKind>,
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// Directory to start looking in (default: the current one).
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// Placeholders: {profile} {account} {account_name} {role} {ttl}
    /// (`expired` past expiry).
    #[arg(long, default_value = "{profile} {ttl}")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to print the completion script for.
    #[arg(value_parser = SupportedShell)]
    pub shell: ShellKind,
}

/// A shell ssoenv writes code for. Any other name is told which shells
/// those are; clap's own parser would suggest the nearest name instead
/// (`tcsh`: did you mean `zsh`?), which is no help for a shell ssoenv lacks.
#[derive(Clone)]
struct SupportedShell;

impl clap::builder::TypedValueParser for SupportedShell {
    type Value = ShellKind;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<ShellKind, clap::Error> {
        let name = value.to_string_lossy();
        ShellKind::from_str(&name, false).map_err(|_| {
            let names: Vec<&str> = ShellKind::value_variants()
                .iter()
                .map(|k| k.name())
                .collect();
            let (last, rest) = names.split_last().expect("there are shells");
            let message = format!(
                "`{name}` is not a shell ssoenv supports; it supports {} and {last}",
                rest.join(", ")
            );
            cmd.clone()
                .error(clap::error::ErrorKind::InvalidValue, message)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let values = ShellKind::value_variants().iter();
        Some(Box::new(values.filter_map(ValueEnum::to_possible_value)))
    }
}

#[derive(Debug, Args)]
pub struct HookArgs {
    pub shell: ShellKind,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Profile (or ACCOUNT/ROLE) to show (default: AWS_PROFILE; with
    /// neither, every SSO session and profile).
    #[arg(add = targets())]
    pub profile: Option<String>,
    #[arg(long, value_name = "NAME", requires = "profile", help = SSO_SESSION_HELP)]
    pub sso_session: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Machine-readable output: {ok, problems, checks: [{area, status, message, fix}]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this [sso-session] (default: every one you are signed in to).
    #[arg(long)]
    pub sso_session: Option<String>,
    /// Fetch the lists again instead of using the cached ones.
    #[arg(long)]
    pub refresh: bool,
    /// One JSON array of {sso_session, account_id, account_name, role_name, profiles}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PopulateArgs {
    /// The [sso-session] whose accounts and roles to write (needed when the
    /// config has several).
    #[arg(long)]
    pub sso_session: Option<String>,
    /// Profile names, from {account_name}, {account_id}, {role_name} and
    /// {session}; white space in a value becomes `-`, and what a name
    /// cannot hold is dropped (names keep letters, digits and - _ . @ + = : /).
    #[arg(long, value_name = "T", default_value = "{account_name}.{role_name}")]
    pub template: String,
    /// Also write `region = REGION` into every generated profile.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Remove the generated profiles of this sso-session whose account or
    /// role is no longer assigned to you.
    #[arg(long)]
    pub prune: bool,
    /// Print what would change, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Fetch the accounts and roles again instead of using the cached list.
    #[arg(long)]
    pub refresh: bool,
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Shell to start (default: $SHELL, else bash; PowerShell on Windows).
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
    pub approval: ApprovalArg,
    /// Lifetime of role credentials, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub credentials_ttl: u64,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 8 * 3600)]
    pub token_ttl: u64,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Extra accounts 900000000001, 900000000002, … with the roles Admin and
    /// ReadOnly, for benchmarks with many profiles.
    #[arg(long, default_value_t = 0)]
    pub extra_accounts: u32,
    /// Roles of each extra account: Admin, ReadOnly, PowerUser, Role4, Role5, …
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub roles_per_account: u32,
    /// Requests a second the portal APIs answer together, like Identity
    /// Center (429 TooManyRequestsException beyond it; default: no limit).
    #[arg(long, value_name = "PER_SECOND")]
    pub rate_limit: Option<u32>,
    /// Print an AWS config whose profiles use the sample accounts this
    /// emulator serves (not the extra ones), and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Stand in for a browser: append URL to FILE and exit (the sandbox's
    /// and the tests' BROWSER, the same on every platform).
    #[arg(long, hide = true, value_name = "FILE", requires = "url")]
    pub hand_off: Option<std::path::PathBuf>,
    /// The URL a stand-in browser was given (with --hand-off).
    #[arg(hide = true, requires = "hand_off")]
    pub url: Option<String>,
}

/// `emulator --approval`.
#[cfg(feature = "emulator")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApprovalArg {
    /// Approve each device sign-in at its second poll, each browser sign-in at once.
    Auto,
    /// Wait for a GET of the verification URL or `POST /__emulator/approve`.
    Manual,
    /// Deny every sign-in.
    Deny,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::{CommandFactory, Parser};

    use super::{Cli, login_timeout};
    use crate::shell::ShellKind;

    #[test]
    fn a_shell_ssoenv_lacks_is_told_which_it_has() {
        for args in [["ssoenv", "init", "tcsh"], ["ssoenv", "completions", "nu"]] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
            assert_eq!(err.exit_code(), 2);
            let shown = err.render().to_string();
            assert!(
                shown.contains(&format!(
                    "`{}` is not a shell ssoenv supports; it supports bash, zsh, fish and powershell",
                    args[2]
                )),
                "{shown}"
            );
            assert!(!shown.contains("similar"), "{shown}");
        }
        let ok = Cli::try_parse_from(["ssoenv", "init", "fish"]).unwrap();
        assert!(matches!(ok.command, super::Command::Init(a) if a.shell == ShellKind::Fish));
    }

    /// Every argument a user can see in `--help` says what it is, and none
    /// states a default beside the `[default: …]` clap shows.
    #[test]
    fn every_visible_argument_is_described_once() {
        let cli = Cli::command();
        let mut problems = Vec::new();
        for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
            for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
                let name = format!("ssoenv {} {}", sub.get_name(), arg.get_id());
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.is_empty() && !matches!(arg.get_id().as_str(), "help" | "version") {
                    problems.push(format!("{name}: no description"));
                }
                if !arg.get_default_values().is_empty() && help.contains("(default") {
                    problems.push(format!("{name}: a second default in {help:?}"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_login_timeout_means_the_same_to_every_command() {
        let secs = |s: u64| Ok(Duration::from_secs(s));
        assert_eq!(login_timeout("5"), secs(5));
        assert_eq!(login_timeout(" 5"), secs(5));
        assert_eq!(login_timeout("5\n"), secs(5));
        assert_eq!(login_timeout("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(login_timeout("1e3"), secs(1000));
        assert_eq!(login_timeout("86400"), secs(86400));
        assert_eq!(login_timeout(""), Ok(crate::sso::login::DEFAULT_TIMEOUT));
        assert_eq!(login_timeout("  "), Ok(crate::sso::login::DEFAULT_TIMEOUT));
        // Refused with a reason, never a panic: huge values would overflow
        // a deadline, and a float can be all of these.
        for bad in [
            "0", "-1", "1e-12", "86401", "1e19", "1e30", "inf", "NaN", "5s", "five",
        ] {
            let e = login_timeout(bad).unwrap_err();
            assert!(e.contains("positive number of seconds"), "{bad}: {e}");
        }

        // `login` takes its value through the same parser: what `use`
        // accepts from SSOENV_LOGIN_TIMEOUT, `login` accepts too.
        let parsed = |value: &str| {
            Cli::try_parse_from(["ssoenv", "login", "--login-timeout", value])
                .map(|cli| match cli.command {
                    super::Command::Login(a) => a.login_timeout,
                    other => panic!("{other:?}"),
                })
                .map_err(|e| e.kind())
        };
        assert_eq!(parsed(" 5"), Ok(Duration::from_secs(5)));
        assert_eq!(parsed("1e30"), Err(clap::error::ErrorKind::ValueValidation));

        // --timeout (SSOENV_TIMEOUT) is seconds the same way, with no blank default.
        let budget = |value: &str| {
            Cli::try_parse_from(["ssoenv", "--timeout", value, "status"])
                .map(|cli| cli.timeout)
                .map_err(|e| e.kind())
        };
        assert_eq!(budget(" 2.5"), Ok(Duration::from_millis(2500)));
        for bad in ["", "0", "1e30", "NaN"] {
            assert_eq!(
                budget(bad),
                Err(clap::error::ErrorKind::ValueValidation),
                "{bad}"
            );
        }
        let default = Cli::try_parse_from(["ssoenv", "login"]).unwrap();
        match default.command {
            super::Command::Login(a) => {
                assert_eq!(a.login_timeout, crate::sso::login::DEFAULT_TIMEOUT)
            }
            other => panic!("{other:?}"),
        }
    }
}
