//! The INI lexer and editor on any bytes: writing back what was parsed gives
//! the same bytes, every edit the editor accepts (a section appended or
//! removed, keys set or removed) undoes to them and leaves every line reading
//! as a fresh parse reads it, and every edit it refuses changes nothing. The
//! checker is the unit tests' own, so the two cannot drift apart.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ssoenv::ini::properties::exercise(data));
