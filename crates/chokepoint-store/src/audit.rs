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
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out);
    into_text(out)
}

/// The canonical JSON of a record's content (what [`content_value`] gives, as
/// [`canonical_json`] writes it), written straight from the event without building the
/// content value first: this runs once per audited request.
pub(crate) fn canonical_content(seq: u64, at: &str, event: &AuditEvent) -> String {
    let mut out = Vec::with_capacity(1024);
    // The keys in sorted order.
    out.extend_from_slice(b"{\"actor\":");
    write_str(&event.actor, &mut out);
    out.extend_from_slice(b",\"at\":");
    write_str(at, &mut out);
    out.extend_from_slice(b",\"inputs\":");
    write_canonical(&event.inputs, &mut out);
    out.extend_from_slice(b",\"kind\":");
    write_str(&event.kind, &mut out);
    out.extend_from_slice(b",\"list_snapshot\":");
    write_optional(event.list_snapshot.as_deref(), &mut out);
    out.extend_from_slice(b",\"outputs\":");
    write_canonical(&event.outputs, &mut out);
    out.extend_from_slice(b",\"rule_set\":");
    write_optional(event.rule_set.as_deref(), &mut out);
    out.extend_from_slice(b",\"seq\":");
    out.extend_from_slice(seq.to_string().as_bytes());
    out.push(b'}');
    into_text(out)
}

fn into_text(out: Vec<u8>) -> String {
    // serde_json writes UTF-8 and every byte added here is ASCII.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write_str(text: &str, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail, and a str always serialises.
    let _ = serde_json::to_writer(&mut *out, text);
}

fn write_optional(text: Option<&str>, out: &mut Vec<u8>) {
    match text {
        Some(text) => write_str(text, out),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(key, out);
                out.push(b':');
                write_canonical(value, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        // Scalars serialise infallibly into a Vec.
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// The hash of a record whose canonical content is `content`, following `prev_hash`.
pub fn chain_hash(prev_hash: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(content.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize() {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

/// The content a record's hash covers, as a value ([`canonical_content`] writes the same text
/// without building it).
#[cfg(test)]
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
    fn canonical_content_is_the_canonical_json_of_the_content_value() {
        let events = [
            AuditEvent {
                kind: "screening".into(),
                actor: "analyst \"one\"".into(),
                inputs: serde_json::json!({"name": "中芯国际\u{7}", "b": [1.5, -2, null, true]}),
                outputs: serde_json::json!({"hits": [{"score": 0.8123, "z": {}, "a": []}]}),
                list_snapshot: Some("snap".into()),
                rule_set: None,
            },
            AuditEvent {
                kind: "key_created".into(),
                actor: String::new(),
                inputs: Value::Null,
                outputs: serde_json::json!("text"),
                list_snapshot: None,
                rule_set: Some("ear 1.0".into()),
            },
        ];
        for (i, event) in events.iter().enumerate() {
            let seq = 10u64.pow(i as u32 * 9);
            assert_eq!(
                canonical_content(seq, "2026-11-21T10:00:00Z", event),
                canonical_json(&content_value(seq, "2026-11-21T10:00:00Z", event))
            );
        }
    }

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
