//! The `.ssoenv` parser on any content: it never panics, and a profile it
//! reads is one a config could name (non-empty, trimmed, one line, no
//! comment in it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssoenv::dirprofile::DirFile;

fuzz_target!(|data: &[u8]| {
    let file = DirFile {
        root: "/p".into(),
        path: "/p/.ssoenv".into(),
        // As the hook reads it.
        content: String::from_utf8_lossy(data).into_owned(),
    };
    match file.profile() {
        Ok(name) => {
            assert!(!name.is_empty());
            assert_eq!(name, name.trim());
            assert!(!name.contains('#') && !name.contains(char::is_control), "{name:?}");
        }
        Err(message) => assert!(message.starts_with("/p/.ssoenv"), "{message}"),
    }
    assert_eq!(file.notice_key().len(), 16);
});
