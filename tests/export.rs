//! `ssoenv export` output read back by the real shells, byte for byte, for
//! credentials full of characters that break naive quoting.

mod common;

#[cfg(unix)]
use common::bounded::BoundedCommand;
use common::{Env, stderr};
use ssoenv::emulator::{CredentialValues, EmulatorConfig};

/// The emulator hands these out as the credentials themselves.
fn adversarial() -> CredentialValues {
    CredentialValues {
        access_key_id: "ASIA'\"\\$(id)`id`".into(),
        secret_access_key:
            "it's a \"secret\"\nwith\ta newline, $HOME, !!, é 日本 and a trailing backslash\\"
                .into(),
        session_token:
            "\u{2018}\u{2019}\u{201A}\u{201B}\u{201C}\u{201D}\u{201E} ' '' \\' %PATH% ${x}".into(),
    }
}

fn env_with_adversarial_credentials() -> (Env, CredentialValues) {
    let values = adversarial();
    let env = Env::with(EmulatorConfig {
        credential_values: Some(values.clone()),
        ..Default::default()
    });
    env.login();
    (env, values)
}

#[cfg(unix)]
const VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
];

/// Evaluate `code` in `shell` and print each variable NUL-terminated.
#[cfg(unix)]
fn read_back(env: &Env, shell: &[&str], code: &str, print: &str) -> Vec<String> {
    let script = format!("{code}\n{print}");
    let out = env
        .command(shell[0])
        .args(&shell[1..])
        .arg(script)
        .env("AWS_SECURITY_TOKEN", "stale")
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{shell:?}: {}", stderr(&out));
    assert!(
        out.stderr.is_empty(),
        "{shell:?} complained: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .map(String::from)
        .collect()
}

#[cfg(unix)]
fn check(format: &str, shell: &[&str], print: &str) {
    common::require(shell[0]);
    let (env, values) = env_with_adversarial_credentials();
    let code = env.ok(&["export", "dev", "--format", format]);
    let got = read_back(&env, shell, &code, print);
    assert_eq!(got[0], values.access_key_id, "{format}");
    assert_eq!(got[1], values.secret_access_key, "{format}");
    assert_eq!(got[2], values.session_token, "{format}");
    assert_eq!(got[3], "eu-west-1", "{format}");
    assert_eq!(
        got[4], "unset",
        "{format}: a stale AWS_SECURITY_TOKEN must go"
    );
}

#[cfg(unix)]
fn posix_print() -> String {
    let mut p: String = VARS
        .iter()
        .map(|v| format!("printf '%s\\0' \"${v}\"; "))
        .collect();
    p.push_str("printf '%s\\0' \"${AWS_SECURITY_TOKEN-unset}\"");
    p
}

#[cfg(unix)]
#[test]
fn bash_reads_export_back_exactly() {
    check(
        "bash",
        &["bash", "--norc", "--noprofile", "-euo", "pipefail", "-c"],
        &posix_print(),
    );
}

#[cfg(unix)]
#[test]
fn zsh_reads_export_back_exactly() {
    check("zsh", &["zsh", "-f", "-u", "-c"], &posix_print());
}

#[cfg(unix)]
#[test]
fn posix_sh_reads_env_format_back_exactly() {
    check("env", &["sh", "-eu", "-c"], &posix_print());
}

#[cfg(unix)]
#[test]
fn fish_reads_export_back_exactly() {
    let mut p: String = VARS
        .iter()
        .map(|v| format!("printf '%s\\0' \"${v}\"; "))
        .collect();
    p.push_str("if set -q AWS_SECURITY_TOKEN; printf '%s\\0' \"$AWS_SECURITY_TOKEN\"; else; printf 'unset\\0'; end");
    check("fish", &["fish", "--no-config", "-c"], &p);
}

#[test]
fn json_and_dotenv_carry_the_same_values() {
    let (env, values) = env_with_adversarial_credentials();
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["export", "dev", "--format", "json"])).unwrap();
    assert_eq!(json["SecretAccessKey"], values.secret_access_key.as_str());
    let dotenv = env.ok(&["export", "dev", "--format", "dotenv"]);
    assert_eq!(
        dotenv.lines().count(),
        6,
        "one line per variable, even with newlines in values:\n{dotenv}"
    );
}

#[test]
fn powershell_export_parses_and_quotes_every_single_quote_form() {
    let (env, values) = env_with_adversarial_credentials();
    let code = env.ok(&["export", "dev", "--format", "powershell"]);
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(&code, None).unwrap();
    assert!(
        !tree.root_node().has_error(),
        "PowerShell grammar rejects:\n{code}"
    );
    // The grammar is blind to PowerShell's typographic single quotes, so read
    // each literal back with the tokenizer's rule: any of ' U+2018-U+201B
    // followed by another is one literal character, a lone one ends the string.
    let read = |name: &str| -> String {
        let start = code.find(&format!("$Env:{name} = '")).unwrap() + name.len() + 9;
        let chars: Vec<char> = code[start..].chars().collect();
        let quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}');
        let (mut out, mut i) = (String::new(), 0);
        loop {
            let c = chars[i];
            if quote(c) {
                if i + 1 < chars.len() && quote(chars[i + 1]) {
                    out.push(chars[i + 1]);
                    i += 2;
                    continue;
                }
                return out;
            }
            out.push(c);
            i += 1;
        }
    };
    assert_eq!(read("AWS_ACCESS_KEY_ID"), values.access_key_id);
    assert_eq!(read("AWS_SECRET_ACCESS_KEY"), values.secret_access_key);
    assert_eq!(read("AWS_SESSION_TOKEN"), values.session_token);
}

#[cfg(unix)]
#[test]
fn posix_sh_reads_env_no_export_back_exactly_without_exporting() {
    check("env-no-export", &["sh", "-eu", "-c"], &posix_print());
    common::require("sh");
    let (env, _) = env_with_adversarial_credentials();
    let code = env.ok(&["export", "dev", "--format", "env-no-export"]);
    let print: String = VARS
        .iter()
        .map(|v| format!("if printenv {v} >/dev/null; then printf '%s\\0' {v}; fi; "))
        .chain(["printf 'none\\0'".to_string()])
        .collect();
    let exported = read_back(&env, &["sh", "-eu", "-c"], &code, &print);
    assert_eq!(exported[0], "none", "nothing exported:\n{code}");
}

/// The formats whose values go unquoted: what they write is the credentials
/// as they are, and a value they cannot carry fails naming the variable.
#[test]
fn docker_env_and_windows_cmd_write_values_literally_or_refuse() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("dev");
    let docker = env.ok(&["export", "dev", "--format", "docker-env"]);
    let cmd = env.ok(&["export", "dev", "--format", "windows-cmd"]);
    for (member, name) in [
        ("AccessKeyId", "AWS_ACCESS_KEY_ID"),
        ("SecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
        ("SessionToken", "AWS_SESSION_TOKEN"),
        ("Expiration", "AWS_CREDENTIAL_EXPIRATION"),
    ] {
        let line = format!("{name}={}", creds[member].as_str().unwrap());
        assert!(docker.lines().any(|l| l == line), "{line} in\n{docker}");
        assert!(
            cmd.lines().any(|l| l == format!("set {line}")),
            "set {line} in\n{cmd}"
        );
    }
    assert!(docker.lines().any(|l| l == "AWS_REGION=eu-west-1"));
    assert!(cmd.lines().any(|l| l == "set AWS_SECURITY_TOKEN="));
    let process = env.ok(&["export", "dev", "--format", "process"]);
    let process: serde_json::Value = serde_json::from_str(&process).unwrap();
    assert_eq!(process, creds, "process is the credential_process document");

    let (env, values) = env_with_adversarial_credentials();
    for (format, refused) in [
        ("docker-env", "AWS_SECRET_ACCESS_KEY"),
        ("windows-cmd", "AWS_ACCESS_KEY_ID"),
    ] {
        let out = env.run(&["export", "dev", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{format}: nothing half-written");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "ssoenv: {refused} cannot be written as {format}: "
            )),
            "{err}"
        );
        for value in [
            &values.access_key_id,
            &values.secret_access_key,
            &values.session_token,
        ] {
            assert!(
                !err.contains(value.as_str()),
                "{format} quoted a value: {err}"
            );
        }
    }
}
