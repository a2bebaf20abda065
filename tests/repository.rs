//! What a clone holds besides the code: the licences Cargo.toml names, the
//! package metadata (with the repository the README clones), and a changelog
//! that covers this version.

use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each licence of the `license` expression has its file, holding that
/// licence's text.
#[test]
fn every_licence_in_cargo_toml_has_its_file() {
    let expression = env!("CARGO_PKG_LICENSE");
    let ids: Vec<&str> = expression.split(" OR ").collect();
    assert_eq!(ids, ["MIT", "Apache-2.0"], "update this test and the files");
    for (id, file, text) in [
        (
            "MIT",
            "LICENSE-MIT",
            "Permission is hereby granted, free of charge",
        ),
        ("Apache-2.0", "LICENSE-APACHE", "Version 2.0, January 2004"),
    ] {
        assert!(ids.contains(&id));
        let licence = read(file);
        assert!(licence.contains(text), "{file} is not the {id} licence");
    }
    let readme = read("README.md");
    assert!(readme.contains("(LICENSE-APACHE)") && readme.contains("(LICENSE-MIT)"));
}

#[test]
fn the_package_says_what_it_is() {
    assert_eq!(env!("CARGO_PKG_README"), "README.md");
    let manifest = read("Cargo.toml");
    for key in ["keywords = [\"", "categories = [\""] {
        assert!(manifest.contains(key), "Cargo.toml has no {key}…]");
    }
}

/// The repository Cargo.toml names is the one the README's install step
/// clones, so `cargo install` users and readers land in the same place.
#[test]
fn the_readme_clones_the_repository_cargo_toml_names() {
    let repository = env!("CARGO_PKG_REPOSITORY");
    assert!(
        repository.starts_with("https://"),
        "Cargo.toml's repository must be a URL: {repository:?}"
    );
    let readme = read("README.md");
    let clone = format!("\ngit clone {repository}\ncd ");
    assert!(readme.contains(&clone), "README.md has no {clone:?}");
}

/// Keep a Changelog: an Unreleased section, and one for the version in
/// Cargo.toml.
#[test]
fn the_changelog_covers_this_version() {
    let changelog = read("CHANGELOG.md");
    assert!(changelog.starts_with("# Changelog\n"));
    assert!(changelog.contains("\n## [Unreleased]\n"));
    let version = format!("\n## [{}] - ", env!("CARGO_PKG_VERSION"));
    assert!(changelog.contains(&version), "no {version:?} section");
}
