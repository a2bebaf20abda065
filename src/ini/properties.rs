//! What the reader and editor promise, checked on any input: the unit tests
//! run it on generated files (`tests.rs`), the fuzz target `ini` on whatever
//! libFuzzer makes (fuzz/fuzz_targets/ini.rs). Not part of the API: compiled
//! only for tests and with the `fuzzing` feature.

use super::{Document, SectionId, edit};

/// Every line's kind is what lexing the whole file afresh gives.
pub fn assert_consistent(doc: &Document) {
    let fresh = Document::parse(&doc.to_bytes());
    let kinds = |d: &Document| d.lines.iter().map(|l| l.kind.clone()).collect::<Vec<_>>();
    assert_eq!(kinds(doc), kinds(&fresh));
}

/// Parse, read everything, and try every kind of edit on every section;
/// every successful edit undone restores the bytes, every refused one
/// changes nothing.
pub fn exercise(input: &[u8]) {
    let original = Document::parse(input);
    assert_eq!(original.to_bytes(), input, "{input:?}");
    let _ = original.check().map_err(|p| p.to_string());
    let ids: Vec<SectionId> = original.sections().map(|s| s.id()).collect();
    for s in original.sections() {
        let _ = (s.name(), s.line(), s.holds_only(&["k"]));
        for e in s.entries() {
            let _ = (e.key(), e.value(), e.line(), e.continuations().count());
        }
    }

    let mut d = Document::parse(input);
    let new = d
        .append_section("ssoenv-test", &[("a", "1"), ("b", "")])
        .unwrap();
    assert_consistent(&d);
    d.remove_section(new).unwrap();
    assert_eq!(d.to_bytes(), input, "append, remove: {input:?}");

    for &id in &ids {
        let mut d = Document::parse(input);
        match d.set(id, &[("ssoenv_added", "x")]) {
            Ok(()) => {
                assert_consistent(&d);
                d.remove_keys(id, &["ssoenv_added"]).unwrap();
                assert_eq!(d.to_bytes(), input, "set, remove_keys: {input:?}");
            }
            Err(_) => assert_eq!(d.to_bytes(), input, "a refused edit: {input:?}"),
        }
        let mut d = Document::parse(input);
        let keys: Vec<String> = d
            .section(id)
            .unwrap()
            .entries()
            .map(|e| e.key().into_owned())
            .collect();
        let set: Vec<(&str, &str)> = keys
            .iter()
            .filter(|k| edit::check_entries("t", &[(k, "")]).is_ok())
            .map(|k| (k.as_str(), "new"))
            .collect();
        if d.set(id, &set).is_ok() {
            assert_consistent(&d);
        }
        let _ = d.remove_keys(id, &["k", "a"]);
        assert_consistent(&d);
        let before = d.to_bytes();
        if d.remove_section(id).is_err() {
            assert_eq!(d.to_bytes(), before);
        }
        assert_consistent(&d);
    }
}
