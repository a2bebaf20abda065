use super::properties::{assert_consistent, exercise};
use super::*;

fn doc(text: &str) -> Document {
    Document::parse(text.as_bytes())
}

fn text(doc: &Document) -> String {
    String::from_utf8(doc.to_bytes()).unwrap()
}

/// (section, [(key, value)]) as configparser would list them, DEFAULT aside.
fn read(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    doc(text)
        .sections()
        .map(|s| {
            let entries = s
                .entries()
                .map(|e| (e.key().into_owned(), e.value()))
                .collect();
            (s.name().into_owned(), entries)
        })
        .collect()
}

fn id(doc: &Document, name: &str) -> SectionId {
    doc.sections().find(|s| s.name() == name).unwrap().id()
}

#[test]
fn values_are_joined_as_configparser_joins_them() {
    let got = read(
        "[a]\nk = one\n\n  two\n# not part of it\n    three\n\nj: x = y\n[b]\ns3 =\n  max = 10\n",
    );
    assert_eq!(
        got,
        [
            (
                "a".to_string(),
                vec![
                    ("k".to_string(), "one\n\ntwo\nthree".to_string()),
                    ("j".to_string(), "x = y".to_string()),
                ]
            ),
            (
                "b".to_string(),
                vec![("s3".to_string(), "\nmax = 10".to_string())]
            ),
        ]
    );
}

#[test]
fn names_keys_and_line_numbers() {
    let d = doc("\u{feff}# c\n[ Dev ] trailing\r\nRegion = x\r[DEFAULT]\n");
    let names: Vec<_> = d
        .sections()
        .map(|s| (s.name().into_owned(), s.line()))
        .collect();
    assert_eq!(
        names,
        [(" Dev ".to_string(), 2), ("DEFAULT".to_string(), 4)]
    );
    let s = d.sections().next().unwrap();
    let e = s.get("REGION").unwrap();
    assert_eq!(
        (e.key().into_owned(), e.value(), e.line()),
        ("region".to_string(), "x".to_string(), 3)
    );
}

#[test]
fn check_finds_what_configparser_refuses() {
    let problem = |t: &str| doc(t).check().map_err(|p| (p.line, p.to_string()));
    assert_eq!(
        problem("[a]\nk = v\n  cont\n[b]\n[DEFAULT]\n[DEFAULT]\n"),
        Ok(())
    );
    assert_eq!(
        problem("[a]\nk = v\nnot a setting\n"),
        Err((3, "expected `key = value`, found `not a setting`".into()))
    );
    assert_eq!(
        problem("k = v\n"),
        Err((1, "setting outside of any [section]".into()))
    );
    assert_eq!(
        problem("[a]\n[profile dev\n"),
        Err((2, "malformed section header `[profile dev`".into()))
    );
    assert_eq!(
        problem("[a]\n = v\n"),
        Err((2, "setting without a name".into()))
    );
    assert_eq!(
        problem("[a]\n[b]\n[a]\n"),
        Err((3, "duplicate section [a] (first at line 1)".into()))
    );
    assert_eq!(
        problem("[a]\nK = 1\nk = 2\n"),
        Err((3, "duplicate setting `k` in [a] (first at line 2)".into()))
    );
    assert_eq!(
        problem("[DEFAULT]\nx = 1\n[a]\nx = 2\n[DEFAULT]\nx = 3\n"),
        Err((
            6,
            "duplicate setting `x` in [DEFAULT] (first at line 2)".into()
        ))
    );
}

#[test]
fn holds_only_counts_every_line() {
    let d = doc("[a]\nx = 1\n  more\n\ny = 2\n[b]\nx = 1\n# mine\ny = 2\n");
    let a = d.sections().next().unwrap();
    assert!(a.holds_only(&["x", "y"]));
    assert!(!a.holds_only(&["x"]));
    assert!(!d.sections().nth(1).unwrap().holds_only(&["x", "y"]));
}

#[test]
fn appending_and_removing_a_section_restores_the_file() {
    for original in [
        "",
        "\n",
        "[a]\nk = v",
        "[a]\r\nk = v\r\n",
        "x\ry",
        "\u{feff}[a]\n  k = v\n\n# end",
    ] {
        let mut d = doc(original);
        let new = d.append_section("p", &[("k", "1"), ("j", "2")]).unwrap();
        let written = text(&d);
        assert!(written.contains("[p]"), "{written:?}");
        assert_consistent(&d);
        d.remove_section(new).unwrap();
        assert_eq!(text(&d), original);
    }
    let mut d = doc("[a]\r\nk = v");
    d.append_section("p", &[("k", "1")]).unwrap();
    assert_eq!(text(&d), "[a]\r\nk = v\r\n[p]\r\nk = 1");
}

#[test]
fn set_keeps_spelling_spacing_and_other_lines() {
    let original = "[other]\nx = 1\n\n[p]\n# note\n  Region   :  old  \n  output = json\n  token = a\n    continued\n  TOKEN = dup\n\n# next\n[next]\ny = 2";
    let mut d = doc(original);
    let p = id(&d, "p");
    d.set(p, &[("region", "new"), ("token", "t"), ("added", "1")])
        .unwrap();
    assert_eq!(
        text(&d),
        "[other]\nx = 1\n\n[p]\n# note\n  Region   :  new\n  output = json\n  token = t\n  added = 1\n\n# next\n[next]\ny = 2"
    );
    assert_consistent(&d);
    // Setting what is there already changes no byte, trailing spaces included.
    let mut d = doc(original);
    d.set(p, &[("output", "json")]).unwrap();
    assert_eq!(text(&d), original);
}

#[test]
fn remove_keys_takes_their_continuations() {
    let mut d = doc("[p]\nk = v\n  more\nj = w\nk = again\n");
    d.remove_keys(id(&d, "p"), &["K"]).unwrap();
    assert_eq!(text(&d), "[p]\nj = w\n");
}

#[test]
fn section_ids_survive_edits_elsewhere() {
    let mut d = doc("[a]\nx = 1\n[b]\ny = 2\n[c]\nz = 3\n");
    let (a, b, c) = (id(&d, "a"), id(&d, "b"), id(&d, "c"));
    d.remove_section(a).unwrap();
    d.set(c, &[("z", "4")]).unwrap();
    d.set(b, &[("w", "5")]).unwrap();
    assert_eq!(text(&d), "[b]\ny = 2\nw = 5\n[c]\nz = 4\n");
    assert!(d.section(a).is_none());
    assert!(d.set(a, &[("x", "1")]).is_err());
}

#[test]
fn an_edit_that_would_change_how_other_lines_read_is_refused() {
    // `  [b]` is a header only because nothing in [a] is open to continue;
    // a key added to [a] would swallow it.
    let original = "[a]\n  [b]\nk = v\n";
    let mut d = doc(original);
    let err = d.set(id(&d, "a"), &[("new", "1")]).unwrap_err();
    assert!(err.message.contains("line 2"), "{err}");
    assert_eq!(text(&d), original);
    // Removing [b] would make its successor a continuation of [a]'s key.
    let original = "[a]\nx = 1\n[b]\n   k = v\n  [c]\n";
    let mut d = doc(original);
    assert!(d.remove_section(id(&d, "b")).is_err());
    assert_eq!(text(&d), original);
}

#[test]
fn names_keys_and_values_that_would_not_read_back_are_refused() {
    let mut d = doc("");
    for name in [
        "", "DEFAULT", " p", "p ", "a]b", "[a", "#x", ";x", "a\nb", "a\rb",
    ] {
        assert!(d.append_section(name, &[]).is_err(), "{name:?}");
    }
    for key in ["", " k", "k=", "a:b", "[k", "#k", "k\n"] {
        assert!(d.append_section("p", &[(key, "v")]).is_err(), "{key:?}");
    }
    for value in ["a\nb", "a\rb", " v", "v\t"] {
        assert!(d.append_section("p", &[("k", value)]).is_err(), "{value:?}");
    }
    assert_eq!(text(&d), "");
}

/// Inputs meant to break a line-based reader: every one must parse, read,
/// check and edit without a panic, and keep its bytes.
#[test]
fn adversarial_inputs_neither_panic_nor_lose_bytes() {
    let long = "x".repeat(100_000);
    let deep = format!("[a]\nk = v\n{}deep\n", " ".repeat(10_000));
    let inputs: Vec<Vec<u8>> = [
        &b""[..],
        b"\r",
        b"\n\r",
        b"\r\r\n\n",
        b"[",
        b"]",
        b"[]",
        b"[[]]",
        b"[]]",
        b"=",
        b":",
        b"[a]\n=",
        b"[a]\n\t\t=\n",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\xef\xbb\xbf[a]",
        b"\xef\xbb",
        b"\xff\xfe[\xff]\n\xff=\xfe\n",
        b"[a]\nk = \xe3\x80",
        b"[\xe3\x80\x80]\n\xe3\x80\x80k = v\n\xe3\x80\x80\xe3\x80\x80cont",
        b"\0[a\0]\0\nk\0=\0",
        b"[a]\n\x1c\x1d\x1e\x1f\n\x85k=v",
        b"[DEFAULT]\n[DEFAULT]\nk=v\n[DEFAULT]\nk=w",
        long.as_bytes(),
        deep.as_bytes(),
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    for input in &inputs {
        exercise(input);
    }
}

/// Files made of the pieces that matter to configparser, in random order
/// with random line endings; the same ones for the same seed.
pub(crate) fn random_files(seed: u64) -> impl Iterator<Item = String> {
    const PIECES: &[&str] = &[
        "[a]",
        "[b]",
        "[ a ]",
        "[DEFAULT]",
        "[a] x ]",
        "  [b]",
        "k = v",
        "K:v",
        "k =",
        "  cont",
        "\tx = 1",
        "    deep = 2",
        "#c = [a]",
        "; c",
        "",
        "   ",
        "=v",
        "junk",
        "[",
        "]",
        "\u{3000}k = v",
        "\u{a0}",
        "\u{feff}",
        "aws_access_key_id = AKIA",
        "s3 =",
    ];
    const EOLS: &[&str] = &["\n", "\n", "\n", "\r\n", "\r", ""];
    let mut rng = fastrand::Rng::with_seed(seed);
    std::iter::repeat_with(move || {
        let mut file = String::new();
        for _ in 0..rng.usize(..12) {
            file.push_str(PIECES[rng.usize(..PIECES.len())]);
            file.push_str(EOLS[rng.usize(..EOLS.len())]);
        }
        file
    })
}

/// Files per property by default (SSOENV_PROPTEST_CASES overrides): as many
/// as keep each of the two that use them (here and in credentials_file.rs)
/// near a second in a debug build on the project's 2-core machine.
pub(crate) const DEFAULT_FILES: usize = 3000;

/// Parse and print back is the identity, and every edit undone gives back
/// the file.
#[test]
fn random_files_round_trip_and_edits_undo() {
    let seed = crate::proptest_cases::seed();
    let count = crate::proptest_cases::count(DEFAULT_FILES);
    for (case, file) in random_files(seed).take(count).enumerate() {
        std::panic::catch_unwind(|| exercise(file.as_bytes()))
            .unwrap_or_else(|_| panic!("seed {seed}, case {case}: {file:?}"));
    }
}
