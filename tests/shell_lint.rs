//! `ssoenv init` output checked statically (shellcheck, `zsh -n`, `fish
//! --no-execute`, tree-sitter-powershell) and evaluated non-interactively
//! under each shell's strictest settings, for every `--hook`/`--cmd` variant.

mod common;

#[cfg(unix)]
use std::io::Write;
#[cfg(unix)]
use std::process::{Output, Stdio};

#[cfg(unix)]
use common::bounded::BoundedChild;
use common::bounded::BoundedCommand;
use common::{Env, stderr};

const VARIANTS: [&[&str]; 5] = [
    &[],
    &["--hook", "cd"],
    &["--hook", "none"],
    &["--cmd", "sso"],
    &["--cmd", "sso", "--hook", "cd"],
];

fn init(env: &Env, shell: &str, variant: &[&str]) -> String {
    let mut args = vec!["init", shell];
    args.extend_from_slice(variant);
    let out = env.run(&args);
    assert!(out.status.success(), "ssoenv {args:?}: {}", stderr(&out));
    assert!(
        out.stderr.is_empty(),
        "ssoenv {args:?} wrote to stderr: {}",
        stderr(&out)
    );
    let code = String::from_utf8(out.stdout).unwrap();
    assert!(!code.trim().is_empty(), "ssoenv {args:?} printed nothing");
    code
}

/// Run `program args` in the test's isolated environment with `input` on stdin.
#[cfg(unix)]
fn run(env: &Env, program: &str, args: &[&str], input: &str) -> Output {
    let mut cmd = env.command(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.bounded_wait_with_output().unwrap()
}

#[cfg(unix)]
fn assert_clean(out: &Output, what: &str, code: &str) {
    assert!(
        out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(),
        "{what}: {}\nstdout:\n{}\nstderr:\n{}\n--- code ---\n{code}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

/// Write `code` to a file in the test HOME (so error messages carry line numbers).
#[cfg(unix)]
fn script(env: &Env, name: &str, code: &str) -> String {
    let path = env.home().join(name);
    std::fs::write(&path, code).unwrap();
    path.to_str().unwrap().to_string()
}

#[cfg(unix)]
#[test]
fn shellcheck_accepts_the_bash_code() {
    common::require("shellcheck");
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "bash", variant);
        let out = run(
            &env,
            "shellcheck",
            &["--shell=bash", "--format=gcc", "-"],
            &code,
        );
        assert!(
            out.status.success(),
            "shellcheck on `ssoenv init bash {}`:\n{}{}\n--- code ---\n{code}",
            variant.join(" "),
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn zsh_parses_the_zsh_code() {
    common::require("zsh");
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "zsh", variant);
        let file = script(&env, "init.zsh", &code);
        let out = run(&env, "zsh", &["-n", &file], "");
        assert_clean(
            &out,
            &format!("zsh -n on `ssoenv init zsh {}`", variant.join(" ")),
            &code,
        );
    }
}

#[cfg(unix)]
#[test]
fn fish_parses_the_fish_code() {
    common::require("fish");
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "fish", variant);
        let file = script(&env, "init.fish", &code);
        let out = run(&env, "fish", &["--no-config", "--no-execute", &file], "");
        assert_clean(
            &out,
            &format!(
                "fish --no-execute on `ssoenv init fish {}`",
                variant.join(" ")
            ),
            &code,
        );
    }
}

/// The first ERROR or MISSING node, with its position and text.
fn first_error(node: tree_sitter::Node, code: &str) -> Option<String> {
    if node.is_error() || node.is_missing() {
        let p = node.start_position();
        let text = &code[node.byte_range()];
        return Some(format!(
            "{} at {}:{}: {text:?}",
            node.kind(),
            p.row + 1,
            p.column + 1
        ));
    }
    let mut cursor = node.walk();
    let children: Vec<_> = node.children(&mut cursor).collect();
    children
        .into_iter()
        .find_map(|child| first_error(child, code))
}

#[test]
fn powershell_code_parses() {
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "powershell", variant);
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_powershell::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(&code, None).unwrap();
        let root = tree.root_node();
        assert!(
            !root.has_error(),
            "`ssoenv init powershell {}`: {}\n--- code ---\n{code}",
            variant.join(" "),
            first_error(root, &code).unwrap_or_else(|| "has_error".into())
        );
    }
}

/// The sandbox's PowerShell start-up script parses too.
#[test]
fn sandbox_powershell_script_parses() {
    let code = include_str!("../shell/sandbox.ps1");
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(code, None).unwrap();
    assert!(
        !tree.root_node().has_error(),
        "{}",
        first_error(tree.root_node(), code).unwrap_or_default()
    );
}

/// Evaluate the init code, then run the registered hooks once, as the shell
/// would at a prompt: silent and successful under the strictest settings.
#[cfg(unix)]
#[test]
fn bash_init_and_hook_run_cleanly_under_euo_pipefail() {
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "bash", variant);
        let program = format!(
            "{code}\n\
             for __c in ${{PROMPT_COMMAND[@]+\"${{PROMPT_COMMAND[@]}}\"}}; do eval \"$__c\"; done\n\
             cd / && cd - >/dev/null\n\
             for __c in ${{PROMPT_COMMAND[@]+\"${{PROMPT_COMMAND[@]}}\"}}; do eval \"$__c\"; done\n"
        );
        let out = run(
            &env,
            "bash",
            &["--norc", "--noprofile", "-euo", "pipefail", "-c", &program],
            "",
        );
        assert_clean(
            &out,
            &format!(
                "bash -euo pipefail with `ssoenv init bash {}`",
                variant.join(" ")
            ),
            &code,
        );
    }
}

#[cfg(unix)]
#[test]
fn zsh_init_and_hook_run_cleanly_under_euo_pipefail_and_ksh_arrays() {
    common::require("zsh");
    let env = Env::new();
    for ksh_arrays in [false, true] {
        for variant in VARIANTS {
            let code = init(&env, "zsh", variant);
            let options = if ksh_arrays {
                "setopt ksh_arrays\n"
            } else {
                ""
            };
            let program = format!(
                "{options}{code}\n\
                 for __f in ${{precmd_functions[@]-}} ${{chpwd_functions[@]-}}; do \"$__f\"; done\n\
                 cd / && cd - >/dev/null\n\
                 for __f in ${{precmd_functions[@]-}}; do \"$__f\"; done\n"
            );
            let out = run(&env, "zsh", &["-f", "-euo", "pipefail", "-c", &program], "");
            assert_clean(
                &out,
                &format!(
                    "zsh -euo pipefail {options}with `ssoenv init zsh {}`",
                    variant.join(" ")
                ),
                &code,
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn fish_init_and_hook_run_cleanly() {
    common::require("fish");
    let env = Env::new();
    for variant in VARIANTS {
        let code = init(&env, "fish", variant);
        let program = format!("{code}\nemit fish_prompt\ncd /\nemit fish_prompt\n");
        let out = run(&env, "fish", &["--no-config", "-c", &program], "");
        assert_clean(
            &out,
            &format!("fish -c with `ssoenv init fish {}`", variant.join(" ")),
            &code,
        );
    }
}

/// What `use`, `off` and the hook print for PowerShell parses too: the
/// saved-environment round trip is code PowerShell must accept.
#[test]
fn powershell_use_and_off_output_parses() {
    let env = Env::new();
    env.login();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let used = env
        .cmd(&["use", "dev", "--shell", "powershell"])
        .env("AWS_PROFILE", "it's mine")
        .bounded_output()
        .unwrap();
    assert!(used.status.success(), "{}", common::stderr(&used));
    let used = String::from_utf8(used.stdout).unwrap();
    assert!(used.contains("$global:__ssoenv_restore = '"), "{used}");
    let off = env
        .cmd(&["off", "--shell", "powershell"])
        .env("SSOENV_PROFILE", "dev")
        .bounded_output()
        .unwrap();
    let off = String::from_utf8(off.stdout).unwrap();
    assert!(
        off.contains("Invoke-Expression $global:__ssoenv_restore"),
        "{off}"
    );
    for code in [&used, &off] {
        let tree = parser.parse(code, None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{}\n--- code ---\n{code}",
            first_error(tree.root_node(), code).unwrap_or_default()
        );
    }
}
