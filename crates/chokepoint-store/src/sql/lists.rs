//! [`ListStore`] on both backends, one SQL text (see `migrations/*/0004_list_snapshots.sql`).
//!
//! A file's chunks are deflated (fast level) on a blocking thread before any lock is taken; the
//! snapshot's transaction then writes the files not stored yet, takes the audit chain's lock,
//! checks that no other snapshot was stored since its base and that every file it names is
//! there, and writes the snapshot, the manifest and the audit record.

use super::{corrupt, to_u64};
use crate::lists::{
    CHUNK_BYTES, CurrentLists, ListFileInfo, ListSnapshot, ListStore, NewListFile, NewListSnapshot,
};
use crate::types::{AuditEvent, AuditRecord};
use crate::{PostgresStore, SqliteStore, StoreError, now_rfc3339};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::io::{Read, Write};

/// A file ready to insert: its hash, size and deflated chunks.
struct EncodedFile {
    sha256: String,
    bytes: u64,
    chunks: Vec<Vec<u8>>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks the file's hash and deflates its chunks.
fn encode(file: &NewListFile) -> Result<EncodedFile, StoreError> {
    let actual = sha256_hex(&file.content);
    if actual != file.sha256 {
        return Err(StoreError::Conflict(format!(
            "list file content does not match its SHA-256 `{}` (it is `{actual}`)",
            file.sha256
        )));
    }
    let chunks = file
        .content
        .chunks(CHUNK_BYTES)
        .map(|chunk| {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder
                .write_all(chunk)
                .and_then(|()| encoder.finish())
                .map_err(|e| corrupt("list file chunk", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EncodedFile {
        sha256: file.sha256.clone(),
        bytes: file.content.len() as u64,
        chunks,
    })
}

/// [`encode`] on a blocking thread (hashing and deflating 30 MB takes a while).
async fn encode_all(files: Vec<NewListFile>) -> Result<Vec<EncodedFile>, StoreError> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    tokio::task::spawn_blocking(move || files.iter().map(encode).collect())
        .await
        .map_err(|e| corrupt("list file encoding", e))?
}

fn decode(encoding: &str, data: Vec<u8>, what: &str) -> Result<Vec<u8>, StoreError> {
    match encoding {
        "identity" => Ok(data),
        "deflate" => {
            let mut out = Vec::with_capacity(data.len() * 4);
            flate2::read::DeflateDecoder::new(data.as_slice())
                .read_to_end(&mut out)
                .map_err(|e| corrupt(what, e))?;
            Ok(out)
        }
        other => Err(corrupt(what, format!("unknown encoding `{other}`"))),
    }
}

macro_rules! lists_impl {
    ($store:ident, $db:ty) => {
        impl $store {
            /// Inserts `file` unless it is stored; whether it was inserted.
            async fn insert_file(
                tx: &mut sqlx::Transaction<'static, $db>,
                file: &EncodedFile,
            ) -> Result<bool, StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO list_files (sha256, bytes, chunks, encoding, stored_at) \
                     VALUES ($1, $2, $3, 'deflate', $4) ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(&file.sha256)
                .bind(file.bytes as i64)
                .bind(file.chunks.len() as i64)
                .bind(now_rfc3339())
                .execute(&mut **tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Ok(false);
                }
                for (index, data) in file.chunks.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO list_file_chunks (sha256, chunk, data) VALUES ($1, $2, $3)",
                    )
                    .bind(&file.sha256)
                    .bind(index as i64)
                    .bind(data.as_slice())
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(true)
            }

            async fn stored_hashes<'e, E>(executor: E) -> Result<Vec<String>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let rows = sqlx::query("SELECT sha256 FROM list_files")
                    .fetch_all(executor)
                    .await?;
                rows.iter()
                    .map(|row| row.try_get("sha256").map_err(StoreError::from))
                    .collect()
            }

            fn list_snapshot_from(
                row: &<$db as sqlx::Database>::Row,
            ) -> Result<ListSnapshot, StoreError> {
                Ok(ListSnapshot {
                    seq: to_u64(row.try_get("seq")?, "list snapshot seq")?,
                    snapshot_id: row.try_get("snapshot_id")?,
                    imported_at: row.try_get("imported_at")?,
                    audit_seq: to_u64(row.try_get("audit_seq")?, "list snapshot audit seq")?,
                })
            }
        }

        #[async_trait::async_trait]
        impl ListStore for $store {
            async fn save_list_snapshot(
                &self,
                snapshot: NewListSnapshot,
                event: AuditEvent,
            ) -> Result<(AuditRecord, ListSnapshot), StoreError> {
                // Files already stored are not encoded again.
                let stored: std::collections::HashSet<String> =
                    Self::stored_hashes(&self.pool).await?.into_iter().collect();
                let NewListSnapshot {
                    snapshot_id,
                    imported_at,
                    manifest,
                    base,
                    files,
                    required,
                } = snapshot;
                let files: Vec<NewListFile> = files
                    .into_iter()
                    .filter(|f| !stored.contains(&f.sha256))
                    .collect();
                let encoded = encode_all(files).await?;
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                for file in &encoded {
                    Self::insert_file(&mut tx, file).await?;
                }
                drop(encoded);
                // From here on the chain's lock serialises snapshots across instances.
                Self::lock_head(&mut tx).await?;
                let latest: Option<i64> = sqlx::query("SELECT MAX(seq) AS seq FROM list_snapshots")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("seq")?;
                let latest = latest.map(|s| to_u64(s, "list snapshot seq")).transpose()?;
                if latest != base {
                    return Err(StoreError::Conflict(format!(
                        "the lists changed meanwhile (snapshot {} is stored, this one was built \
                         on {}): load the current lists and import again",
                        latest.map_or("none".to_string(), |s| s.to_string()),
                        base.map_or("none".to_string(), |s| s.to_string()),
                    )));
                }
                let stored: std::collections::HashSet<String> =
                    Self::stored_hashes(&mut *tx).await?.into_iter().collect();
                if let Some(missing) = required.iter().find(|h| !stored.contains(*h)) {
                    return Err(StoreError::NotFound {
                        what: "list file",
                        id: missing.clone(),
                    });
                }
                let record = Self::append_in(&mut tx, &event).await?;
                let seq = latest.unwrap_or(0) + 1;
                sqlx::query(
                    "INSERT INTO list_snapshots (seq, snapshot_id, imported_at, audit_seq) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(seq as i64)
                .bind(&snapshot_id)
                .bind(&imported_at)
                .bind(record.seq as i64)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO list_manifest (id, seq, snapshot_id, manifest) \
                     VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET \
                     seq = excluded.seq, snapshot_id = excluded.snapshot_id, \
                     manifest = excluded.manifest",
                )
                .bind(seq as i64)
                .bind(&snapshot_id)
                .bind(&manifest)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                let audit_seq = record.seq;
                Ok((
                    record,
                    ListSnapshot {
                        seq,
                        snapshot_id,
                        imported_at,
                        audit_seq,
                    },
                ))
            }

            async fn current_lists(&self) -> Result<Option<CurrentLists>, StoreError> {
                let row = sqlx::query(
                    "SELECT s.seq AS seq, s.snapshot_id AS snapshot_id, \
                     s.imported_at AS imported_at, s.audit_seq AS audit_seq, \
                     m.manifest AS manifest \
                     FROM list_manifest m JOIN list_snapshots s ON s.seq = m.seq WHERE m.id = 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                row.map(|row| {
                    Ok(CurrentLists {
                        snapshot: Self::list_snapshot_from(&row)?,
                        manifest: row.try_get("manifest")?,
                    })
                })
                .transpose()
            }

            async fn list_snapshot(
                &self,
                snapshot_id: &str,
            ) -> Result<Option<ListSnapshot>, StoreError> {
                let row = sqlx::query(
                    "SELECT seq, snapshot_id, imported_at, audit_seq FROM list_snapshots \
                     WHERE snapshot_id = $1 ORDER BY seq DESC LIMIT 1",
                )
                .bind(snapshot_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|row| Self::list_snapshot_from(&row)).transpose()
            }

            async fn store_list_file(&self, file: NewListFile) -> Result<bool, StoreError> {
                if Self::list_file_in(&self.pool, &file.sha256).await?.is_some() {
                    return Ok(false);
                }
                let encoded = encode_all(vec![file]).await?;
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let mut inserted = false;
                for file in &encoded {
                    inserted |= Self::insert_file(&mut tx, file).await?;
                }
                tx.commit().await?;
                Ok(inserted)
            }

            async fn list_file_hashes(&self) -> Result<Vec<String>, StoreError> {
                Self::stored_hashes(&self.pool).await
            }

            async fn list_file(&self, sha256: &str) -> Result<Option<ListFileInfo>, StoreError> {
                Self::list_file_in(&self.pool, sha256).await
            }

            async fn list_file_chunk(
                &self,
                sha256: &str,
                index: u64,
            ) -> Result<Vec<u8>, StoreError> {
                let row = sqlx::query(
                    "SELECT f.encoding AS encoding, c.data AS data FROM list_file_chunks c \
                     JOIN list_files f ON f.sha256 = c.sha256 \
                     WHERE c.sha256 = $1 AND c.chunk = $2",
                )
                .bind(sha256)
                .bind(index as i64)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else {
                    return Err(StoreError::NotFound {
                        what: "list file chunk",
                        id: format!("{sha256}/{index}"),
                    });
                };
                let encoding: String = row.try_get("encoding")?;
                let data: Vec<u8> = row.try_get("data")?;
                decode(&encoding, data, &format!("chunk {index} of list file `{sha256}`"))
            }
        }

        impl $store {
            async fn list_file_in<'e, E>(
                executor: E,
                sha256: &str,
            ) -> Result<Option<ListFileInfo>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let row = sqlx::query("SELECT bytes, chunks FROM list_files WHERE sha256 = $1")
                    .bind(sha256)
                    .fetch_optional(executor)
                    .await?;
                row.map(|row| {
                    Ok(ListFileInfo {
                        bytes: to_u64(row.try_get("bytes")?, "list file size")?,
                        chunks: to_u64(row.try_get("chunks")?, "list file chunks")?,
                    })
                })
                .transpose()
            }
        }
    };
}

lists_impl!(SqliteStore, sqlx::Sqlite);
lists_impl!(PostgresStore, sqlx::Postgres);
