//! Downloading the official list files: where each lives, fetching with progress, checking and
//! importing atomically.
//!
//! The official publishers give no checksums, so chokepoint computes each file's SHA-256, parses
//! the download completely before it replaces anything, and records the hash in the manifest.
//! A download whose content equals the current file changes nothing.

use crate::EngineError;
use crate::datadir::{DataDir, ImportReport};
use std::io::Read;

/// One official file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialFile {
    /// File name it is stored under (OFAC companions are paired by it).
    pub name: &'static str,
    /// Where the publisher serves it.
    pub url: &'static str,
    /// What it is.
    pub description: &'static str,
}

/// The official files `lists update` fetches.
pub const OFFICIAL_FILES: &[OfficialFile] = &[
    OfficialFile {
        name: "consolidated.csv",
        url: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        description: "trade.gov Consolidated Screening List (Commerce, State, Treasury)",
    },
    OfficialFile {
        name: "sdn.csv",
        url: "https://www.treasury.gov/ofac/downloads/sdn.csv",
        description: "OFAC SDN list",
    },
    OfficialFile {
        name: "add.csv",
        url: "https://www.treasury.gov/ofac/downloads/add.csv",
        description: "OFAC SDN addresses",
    },
    OfficialFile {
        name: "alt.csv",
        url: "https://www.treasury.gov/ofac/downloads/alt.csv",
        description: "OFAC SDN aliases",
    },
    OfficialFile {
        name: "sdn_comments.csv",
        url: "https://www.treasury.gov/ofac/downloads/sdn_comments.csv",
        description: "OFAC SDN remarks overflow",
    },
    OfficialFile {
        name: "cons_prim.csv",
        url: "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv",
        description: "OFAC consolidated non-SDN list",
    },
    OfficialFile {
        name: "cons_add.csv",
        url: "https://www.treasury.gov/ofac/downloads/consolidated/cons_add.csv",
        description: "OFAC non-SDN addresses",
    },
    OfficialFile {
        name: "cons_alt.csv",
        url: "https://www.treasury.gov/ofac/downloads/consolidated/cons_alt.csv",
        description: "OFAC non-SDN aliases",
    },
    OfficialFile {
        name: "cons_comments.csv",
        url: "https://www.treasury.gov/ofac/downloads/consolidated/cons_comments.csv",
        description: "OFAC non-SDN remarks overflow",
    },
    OfficialFile {
        name: "dpl.txt",
        url: "https://www.bis.doc.gov/dpl/dpl.txt",
        description: "BIS Denied Persons List",
    },
    OfficialFile {
        name: "UN_consolidated.xml",
        url: "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        description: "UN Security Council Consolidated List",
    },
];

/// Told about download progress (the CLI draws a progress bar).
pub trait Progress {
    /// A download starts; `total` is its size when the server says.
    fn start(&mut self, name: &str, total: Option<u64>);
    /// `bytes` more arrived.
    fn advance(&mut self, bytes: u64);
    /// The download finished.
    fn finish(&mut self, name: &str);
}

/// Progress that goes nowhere.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self, _: &str) {}
}

/// Where to download from: the official URLs, or a mirror serving the same file names under one
/// base URL (for air-gapped sites and tests).
#[derive(Debug, Clone, Default)]
pub struct UpdateSource {
    /// Replaces each official URL with `BASE/NAME`.
    pub mirror: Option<String>,
    /// Only these file names (empty: all).
    pub only: Vec<String>,
}

impl UpdateSource {
    fn url_for(&self, file: &OfficialFile) -> String {
        match &self.mirror {
            Some(base) => format!("{}/{}", base.trim_end_matches('/'), file.name),
            None => file.url.to_string(),
        }
    }
}

/// Downloads every official file and imports them into `data_dir` in one step: nothing is
/// replaced unless every download arrived whole and parses.
pub fn update(
    data_dir: &DataDir,
    source: &UpdateSource,
    progress: &mut dyn Progress,
    imported_at: &str,
) -> Result<ImportReport, EngineError> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(600)))
        .build()
        .new_agent();
    let mut files = Vec::new();
    for file in OFFICIAL_FILES {
        if !source.only.is_empty() && !source.only.iter().any(|n| n == file.name) {
            continue;
        }
        let url = source.url_for(file);
        let bytes = download(&agent, &url, file.name, progress)?;
        files.push((file.name.to_string(), bytes, url));
    }
    data_dir.import(files, imported_at)
}

fn download(
    agent: &ureq::Agent,
    url: &str,
    name: &str,
    progress: &mut dyn Progress,
) -> Result<Vec<u8>, EngineError> {
    let failed = |reason: String| EngineError::Download {
        url: url.to_string(),
        reason,
    };
    let response = agent.get(url).call().map_err(|e| failed(e.to_string()))?;
    let total = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    progress.start(name, total);
    let mut reader = response
        .into_body()
        .into_with_config()
        .limit(1 << 31)
        .reader();
    let mut bytes = Vec::with_capacity(total.unwrap_or(1 << 20) as usize);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(|e| failed(e.to_string()))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        progress.advance(n as u64);
    }
    if let Some(total) = total
        && bytes.len() as u64 != total
    {
        return Err(failed(format!(
            "the download stopped after {} of {total} bytes; try again",
            bytes.len()
        )));
    }
    progress.finish(name);
    Ok(bytes)
}
