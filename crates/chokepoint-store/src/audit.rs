//! The audit chain's arithmetic: canonical JSON, each record's hash, and checking one stored
//! record against the chain. Pure; the SQL lives in `sql.rs`.
//!
//! A record's hash is `SHA-256(prev_hash ‖ "\n" ‖ content)`, where the content is the canonical
//! JSON of `{seq, at, kind, actor, inputs, outputs, list_snapshot, rule_set}`, made once when the
//! record is written and stored as that exact text. Canonical JSON sorts object keys and has no
//! whitespace, so the same record always gives the same text; verifying hashes the stored text
//! as it is (reading and printing floats again may change their digits).

use crate::types::{AuditEvent, AuditRecord};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `value` as canonical JSON: object keys sorted, no whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The hash of a record whose canonical content is `content`, following `prev_hash`.
pub fn chain_hash(prev_hash: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(content.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The content a record's hash covers.
pub(crate) fn content_value(seq: u64, at: &str, event: &AuditEvent) -> Value {
    serde_json::json!({
        "seq": seq,
        "at": at,
        "kind": event.kind,
        "actor": event.actor,
        "inputs": event.inputs,
        "outputs": event.outputs,
        "list_snapshot": event.list_snapshot,
        "rule_set": event.rule_set,
    })
}

/// A record as stored, before it is trusted.
pub(crate) struct StoredRecord {
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub content: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredRecord {
    /// Reads the record's content back. `Err` names what cannot be read.
    pub(crate) fn decode(&self) -> Result<AuditRecord, String> {
        let value: Value = serde_json::from_str(&self.content)
            .map_err(|e| format!("its content is not JSON ({e})"))?;
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let optional = |key: &str| match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("its `{key}` is not a string")),
        };
        let seq = value
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or("its content has no `seq`")?;
        Ok(AuditRecord {
            seq,
            at: text("at").ok_or("its content has no `at`")?,
            event: AuditEvent {
                kind: text("kind").ok_or("its content has no `kind`")?,
                actor: text("actor").ok_or("its content has no `actor`")?,
                inputs: value.get("inputs").cloned().unwrap_or(Value::Null),
                outputs: value.get("outputs").cloned().unwrap_or(Value::Null),
                list_snapshot: optional("list_snapshot")?,
                rule_set: optional("rule_set")?,
            },
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }

    /// Checks this record against the chain so far: it must be number `expected_seq`, follow
    /// `prev_hash`, and hash to what it says. `Err` says what is wrong.
    pub(crate) fn check(&self, expected_seq: u64, prev_hash: &str) -> Result<(), String> {
        if self.seq < 0 || self.seq as u64 != expected_seq {
            return Err(format!(
                "expected record {expected_seq} here: records were removed or reordered"
            ));
        }
        if self.prev_hash != prev_hash {
            return Err(
                "its `prev_hash` is not the previous record's hash: records were removed, \
                 reordered or altered"
                    .to_string(),
            );
        }
        let record = self.decode().map_err(|e| format!("altered: {e}"))?;
        if record.seq != expected_seq {
            return Err(format!(
                "its content says it is record {}: records were reordered",
                record.seq
            ));
        }
        if record.event.kind != self.kind
            || record.event.actor != self.actor
            || record.at != self.at
        {
            return Err("altered: its columns disagree with its hashed content".to_string());
        }
        // The hash covers the stored text itself, never a re-serialisation of it: parsing and
        // printing floats again need not give back the same digits.
        if chain_hash(prev_hash, &self.content) != self.hash {
            return Err("altered: its content does not match its hash".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = serde_json::json!({"b": 1, "a": {"d": [1, {"z": 0, "y": "é"}], "c": null}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"c":null,"d":[1,{"y":"é","z":0}]},"b":1}"#
        );
    }

    #[test]
    fn hash_depends_on_prev_and_content() {
        let a = chain_hash(GENESIS_HASH, "{}");
        assert_eq!(a.len(), 64);
        assert_ne!(a, chain_hash(&a, "{}"));
        assert_ne!(a, chain_hash(GENESIS_HASH, "{ }"));
    }
}
