//! `ssoenv allow [DIR]` / `ssoenv deny [DIR]`: trust or block the nearest
//! `.ssoenv` file.

use crate::cli::DirArgs;
use crate::config::Config;
use crate::dirprofile::{self, DirFile};
use crate::error::{Error, Result};

fn nearest(args: &DirArgs) -> Result<DirFile> {
    let start = match &args.dir {
        Some(d) => dirprofile::absolute(d)?,
        None => dirprofile::logical_cwd()?,
    };
    dirprofile::find(&start).ok_or_else(|| {
        Error::usage(format!(
            "no {} file in {} or its parents",
            dirprofile::FILE_NAME,
            start.display()
        ))
    })
}

pub fn allow(args: DirArgs) -> Result<()> {
    let file = nearest(&args)?;
    let profile = file.profile().map_err(Error::usage)?;
    let config = Config::load()?;
    config
        .chain(&profile)
        .map_err(|e| e.context(format!("{} names profile `{profile}`", file.path.display())))?;
    file.allow()?;
    crate::say!("allowed {} (profile {profile})", file.path.display());
    Ok(())
}

pub fn deny(args: DirArgs) -> Result<()> {
    let file = nearest(&args)?;
    file.deny()?;
    crate::say!("denied {}", file.path.display());
    Ok(())
}
