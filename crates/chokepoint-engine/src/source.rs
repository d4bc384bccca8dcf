//! Reading list files from disk: files or directories, every format detected from content.

use crate::EngineError;
use chokepoint_ingest::{IngestError, InputFile, parse_files};
use chokepoint_model::ListSet;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Lists read from disk, with the files that could not be read.
#[derive(Debug, Default)]
pub struct LoadedLists {
    /// Everything that could be read.
    pub set: ListSet,
    /// Files that could not be read at all, each with why.
    pub unreadable: Vec<IngestError>,
    /// Files found in directories but skipped because they are no list (README, PROVENANCE...).
    pub skipped: Vec<PathBuf>,
    /// `(label, sha256)` of every file that was read as a list: what the snapshot is made of.
    pub files: Vec<(String, String)>,
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads every list in `paths`. A path may be a file or a directory (read recursively, files
/// in name order). A file named explicitly that is no recognised list is an error in
/// [`LoadedLists::unreadable`]; inside a directory such files are only noted as skipped.
pub fn load_paths(paths: &[PathBuf]) -> Result<LoadedLists, EngineError> {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| EngineError::Io {
            path: path.clone(),
            action: "read",
            source,
        })?;
        if meta.is_dir() {
            collect_dir(path, &mut files)?;
        } else {
            files.push((path.clone(), true));
        }
    }
    let mut contents: Vec<(String, Vec<u8>, bool, PathBuf)> = Vec::new();
    for (path, explicit) in files {
        let bytes = std::fs::read(&path).map_err(|source| EngineError::Io {
            path: path.clone(),
            action: "read",
            source,
        })?;
        contents.push((label_of(&path), bytes, explicit, path));
    }
    Ok(parse_contents(&contents))
}

/// Parses files already in memory: `(label, bytes, named explicitly, path)`.
pub(crate) fn parse_contents(contents: &[(String, Vec<u8>, bool, PathBuf)]) -> LoadedLists {
    let inputs: Vec<InputFile<'_>> = contents
        .iter()
        .map(|(label, bytes, _, _)| InputFile {
            label: label.as_str(),
            bytes: bytes.as_slice(),
        })
        .collect();
    let (mut set, errors) = parse_files(&inputs);
    for meta in &mut set.lists {
        if meta.sha256.is_none()
            && let Some((_, bytes, _, _)) = contents.iter().find(|(l, ..)| *l == meta.label)
        {
            meta.sha256 = Some(sha256_hex(bytes));
        }
    }
    let mut loaded = LoadedLists {
        set,
        ..LoadedLists::default()
    };
    let failed: Vec<&str> = errors.iter().map(IngestError::label).collect();
    loaded.files = contents
        .iter()
        .filter(|(label, ..)| !failed.contains(&label.as_str()))
        .map(|(label, bytes, ..)| (label.clone(), sha256_hex(bytes)))
        .collect();
    for error in errors {
        let from_dir = contents
            .iter()
            .find(|(label, ..)| label == error.label())
            .is_some_and(|(_, _, explicit, _)| !explicit);
        match (&error, from_dir) {
            (IngestError::UnrecognisedFormat { .. } | IngestError::Empty { .. }, true) => {
                if let Some((.., path)) = contents.iter().find(|(l, ..)| l == error.label()) {
                    loaded.skipped.push(path.clone());
                }
            }
            _ => loaded.unreadable.push(error),
        }
    }
    loaded
}

/// Every file below `dir` (hidden ones left out), in name order, marked as not named explicitly.
pub(crate) fn collect_dir(dir: &Path, files: &mut Vec<(PathBuf, bool)>) -> Result<(), EngineError> {
    let read = std::fs::read_dir(dir).map_err(|source| EngineError::Io {
        path: dir.to_path_buf(),
        action: "list",
        source,
    })?;
    let mut paths: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = label_of(&path);
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_dir(&path, files)?;
        } else {
            files.push((path, false));
        }
    }
    Ok(())
}

/// The file name as a label (OFAC companions are paired by it).
pub(crate) fn label_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_name_every_list_read_and_nothing_else() {
        let list =
            b"chokepoint_list: 1\nname: t\nentries:\n  - id: A\n    name: Alpha Co\n".to_vec();
        let contents = vec![
            (
                "t.yaml".to_string(),
                list.clone(),
                true,
                PathBuf::from("t.yaml"),
            ),
            (
                "notes.txt".to_string(),
                b"hello".to_vec(),
                false,
                PathBuf::from("dir/notes.txt"),
            ),
        ];
        let loaded = parse_contents(&contents);
        assert_eq!(
            loaded.files,
            vec![("t.yaml".to_string(), sha256_hex(&list))]
        );
        assert_eq!(loaded.skipped, vec![PathBuf::from("dir/notes.txt")]);
        assert_eq!(loaded.set.entries.len(), 1);
    }
}
