//! Where answers go: standard output or a file, buffered, and whether a human is watching.

use anyhow::Context;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

/// A buffered writer to `path`, or to standard output when `None`.
pub fn writer(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create `{}`", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Whether standard error is a terminal (progress bars are drawn only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
