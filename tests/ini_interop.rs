//! ssoenv's INI reading against botocore's, on files written to trip a
//! reader up: the lexer (`ssoenv::ini`) must read exactly what
//! configparser.RawConfigParser reads, and the config model must find the
//! profiles botocore finds — or name the line where it refuses to guess.

#![cfg(unix)] // botocore from the .venv the Unix CI creates

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bounded::BoundedCommand;
use serde_json::{Value, json};
use ssoenv::config::Config;
use ssoenv::ini::{DEFAULT_SECTION, Document};

/// Files configparser reads (or refuses) in some way a line reader could
/// get wrong. The lexer must agree on every one.
const LEXER_CASES: &[&str] = &[
    "",
    "# only comments\n; here\n\n",
    "[a]\nk = v",
    "[a]\nk: v\nj = x = y\nm : n : o\nurl = https://x:8080/p\n",
    "[a]\nk = one\n\n  two\n# not part of it\n    three\n\nj = x\n",
    "[a]\n  k = v\n  j = w\n   c\n",
    "[a]\n\tk = v\n\t\tcont\n\tj = w\n",
    "[a]\nk = v\n  [b]\n[c]\n",
    "  [a]\nk = v\n",
    "[a] x ] y\nk = v\n",
    "[a]\n[]=x\n",
    "[ a ]\nk = v\n[a]\nk = w\n",
    "[a]\nk = v # not a comment\n; c\n  # c\nj = 1 ; x\n",
    "[a]\r\nk = v\r\n\r\n  more\r\n",
    "[a]\rk = v\r  more\r",
    "[a]\nk\u{a0}=\u{a0}v\u{a0}\n\u{3000}k2 = v\n\u{3000}\u{3000}cont\n",
    "[a]\n\u{1c}k = v\n\u{1c}\u{1c} more\n",
    "[a]\nİ = 1\nΣΑΣ = 2\nKey With Spaces = 3\n",
    "[a]\ns3 =\n  max = 10\n  addressing_style = path\nregion = x\n",
    "[a]\nk =\nj =   \n",
    "[a]\nk = v\n\n\n",
    "[DEFAULT]\nx = 1\n[a]\nk = v\n[DEFAULT]\ny = 2\n[b]\nx = 3\n",
    // Refused, at the line given.
    "[a]\nK = 1\nk = 2\n",
    "[a]\n[b]\n[a]\n",
    "[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n",
    "k = v\n",
    "junk\n[a]\n",
    "[a]\njunk\n",
    "[a]\n = v\n",
    "[a]\n:v\n",
    "[a]\n[b\n",
    "[a]\n  = v\n  more\n",
];

/// Config files both read alike: the same profiles, resolving to the same
/// account, role, region and sign-in.
const AGREE: &[&str] = &[
    "[sso-session corp]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = eu-west-1\n\
     [profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-central-1\n\
     [profile legacy]\nsso_start_url = https://d-1111111111.awsapps.com/start\nsso_region = us-east-2\n\
     sso_account_id = 222222222222\nsso_role_name = ReadOnly\n\
     [profile keys]\naws_access_key_id = AKIAEXAMPLE\n",
    // [DEFAULT] lends its keys to every profile.
    "[DEFAULT]\nsso_session = corp\nregion = eu-west-1\n\
     [sso-session corp]\nsso_start_url = https://a.awsapps.com/start\nsso_region = us-east-1\n\
     [profile dev]\nsso_account_id = 111111111111\nsso_role_name = Admin\n\
     [default]\nsso_account_id = 222222222222\nsso_role_name = R\nregion = us-west-2\n",
    // Indented keys, `:`, CRLF, a nested block, text after a header.
    "[profile dev] ; note\r\n  sso_session: corp\r\n  sso_account_id: 111111111111\r\n  sso_role_name: Admin\r\n\
     s3 =\r\n  max_concurrent_requests = 10\r\n\
     [sso-session corp]\r\nsso_start_url=https://x.awsapps.com/start\r\nsso_region=eu-west-1",
    // Quoted names, extra spaces after `profile`, sections that are no profile.
    "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
     [profile \"my dev\"]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n\
     [profile 'q']\nsso_session = s\nsso_account_id = 2\nsso_role_name = r\n\
     [profile   spaced]\nsso_session = s\nsso_account_id = 3\nsso_role_name = r\n\
     [profiledev]\n[plugins]\n[ plugins ]\n[services x]\ns3 =\n  endpoint_url = http://localhost\n",
    "[default]\nregion = a\n[profile default]\nregion = b\n",
];

/// Config files botocore loads but misreads or silently skips part of;
/// ssoenv refuses them at this line instead.
const STRICTER: &[(&str, usize)] = &[
    ("[ profile dev ]\nregion = x\n", 1),
    ("[profile my dev]\nregion = x\n", 1),
    ("[profile a\"b]\n", 1),
    ("[profile dev] # see [x]\n", 1),
    ("[profile dev]\nregion = us-east-1\n  junk\n", 3),
    ("[default]\n[profile dev = x\n", 2),
    ("[profile a]\n[profile \"a\"]\n", 2),
];

/// Config files botocore refuses to load: so does ssoenv, naming the line.
const BOTH_REFUSE: &[(&str, usize)] = &[
    ("[profile dev]\nregion = a\nregion = b\n", 3),
    ("[profile dev]\ns3 =\n  oops\n", 3),
    ("[profile dev]\nsso_session = corp\nnonsense here\n", 3),
    ("region = x\n", 1),
    ("[default]\n[default]\n", 2),
];

/// botocore's readings of `files`, from tests/interop/configparser_read.py.
fn botocore(files: &[&[u8]]) -> (tempfile::TempDir, Vec<Value>) {
    let python = common::require_botocore();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.path().join(format!("case{i}.ini"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/configparser_read.py");
    let out = Command::new(python)
        .arg(script)
        .args(&paths)
        .bounded_output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    (dir, read)
}

/// What ssoenv's lexer reads, in configparser's shape: the sections other
/// than [DEFAULT], each with its keys and then [DEFAULT]'s it lacks.
fn ssoenv_lexer(bytes: &[u8]) -> Value {
    let doc = Document::parse(bytes);
    if let Err(problem) = doc.check() {
        return json!({"error": problem.to_string(), "line": problem.line});
    }
    let defaults: Vec<(String, String)> = doc
        .sections()
        .filter(|s| s.name() == DEFAULT_SECTION)
        .flat_map(|s| {
            s.entries()
                .map(|e| (e.key().into_owned(), e.value()))
                .collect::<Vec<_>>()
        })
        .collect();
    let sections: Vec<Value> = doc
        .sections()
        .filter(|s| s.name() != DEFAULT_SECTION)
        .map(|s| {
            let mut entries: Vec<(String, String)> = s
                .entries()
                .map(|e| (e.key().into_owned(), e.value()))
                .collect();
            for (key, value) in &defaults {
                if !entries.iter().any(|(k, _)| k == key) {
                    entries.push((key.clone(), value.clone()));
                }
            }
            json!([s.name(), entries])
        })
        .collect();
    json!({ "sections": sections })
}

#[test]
fn the_lexer_reads_what_configparser_reads() {
    let files: Vec<&[u8]> = LEXER_CASES.iter().map(|c| c.as_bytes()).collect();
    let (_dir, theirs) = botocore(&files);
    for (case, theirs) in LEXER_CASES.iter().zip(&theirs) {
        let theirs = &theirs["configparser"];
        let ours = ssoenv_lexer(case.as_bytes());
        match theirs.get("error") {
            Some(error) => {
                assert_eq!(
                    ours["line"], theirs["line"],
                    "{case:?}: configparser refuses it ({error}), ssoenv read {ours}"
                );
            }
            None => assert_eq!(&ours, theirs, "{case:?}"),
        }
    }
}

/// The line an error message starts with: "/path/case.ini:LINE: …".
fn error_line(config: &Path, message: &str) -> Option<usize> {
    let rest = message.strip_prefix(&format!("{}:", config.display()))?;
    rest.split(':').next()?.parse().ok()
}

#[test]
fn the_config_finds_the_profiles_botocore_finds() {
    let files: Vec<&[u8]> = AGREE.iter().map(|c| c.as_bytes()).collect();
    let (_dir, theirs) = botocore(&files);
    for (case, theirs) in AGREE.iter().zip(&theirs) {
        let theirs = &theirs["botocore"];
        let config = Config::parse(case, Path::new("/c")).unwrap();
        let mut ours: Vec<&str> = config.profile_names().collect();
        ours.sort();
        let profiles = theirs["profiles"].as_object().expect("botocore loads it");
        let sessions = &theirs["sso_sessions"];
        let mut names: Vec<&str> = profiles.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(ours, names, "{case:?}");
        for name in names {
            let theirs = &profiles[name];
            let Ok(ours) = config.sso_profile(name) else {
                assert!(
                    theirs.get("sso_account_id").is_none(),
                    "{case:?}: [{name}] {theirs}"
                );
                continue;
            };
            let session = match theirs.get("sso_session") {
                Some(s) => &sessions[s.as_str().unwrap()],
                None => theirs,
            };
            assert_eq!(ours.account_id, theirs["sso_account_id"], "{case:?} {name}");
            assert_eq!(ours.role_name, theirs["sso_role_name"], "{case:?} {name}");
            assert_eq!(
                ours.region.as_deref(),
                theirs["region"].as_str(),
                "{case:?} {name}"
            );
            assert_eq!(ours.session.start_url, session["sso_start_url"]);
            assert_eq!(ours.session.region, session["sso_region"]);
        }
    }
}

#[test]
fn the_config_refuses_what_botocore_would_misread_or_refuses() {
    let cases: Vec<(&str, usize, bool)> = STRICTER
        .iter()
        .map(|&(c, l)| (c, l, true))
        .chain(BOTH_REFUSE.iter().map(|&(c, l)| (c, l, false)))
        .collect();
    let files: Vec<&[u8]> = cases.iter().map(|(c, _, _)| c.as_bytes()).collect();
    let (_dir, theirs) = botocore(&files);
    for ((case, line, botocore_loads), theirs) in cases.iter().zip(&theirs) {
        assert_eq!(
            theirs["botocore"].get("error").is_none(),
            *botocore_loads,
            "{case:?}: {theirs}"
        );
        let path = Path::new("/home/u/.aws/config");
        let message = Config::parse(case, path).unwrap_err().message;
        assert_eq!(
            error_line(path, &message),
            Some(*line),
            "{case:?}: {message}"
        );
    }
}

/// The two places ssoenv reads a file differently from botocore, on
/// purpose: a ` #` comment after a value (the Rust SDK's reading, and the
/// value that works), and a byte order mark (which Windows editors write;
/// Python would find no section header after it).
#[test]
fn known_differences_are_the_deliberate_ones() {
    let comment = "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
                   [profile dev]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n\
                   region = eu-west-1 # Ireland\n";
    let bom = "\u{feff}[profile dev]\nregion = eu-west-1\n";
    let (_dir, theirs) = botocore(&[comment.as_bytes(), bom.as_bytes()]);
    assert_eq!(
        theirs[0]["botocore"]["profiles"]["dev"]["region"],
        "eu-west-1 # Ireland"
    );
    let ours = Config::parse(comment, Path::new("/c")).unwrap();
    assert_eq!(
        ours.sso_profile("dev").unwrap().region.as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        theirs[1]["configparser"]["error"],
        "MissingSectionHeaderError"
    );
    let ours = Config::parse(bom, Path::new("/c")).unwrap();
    assert!(ours.has_profile("dev"));
}
