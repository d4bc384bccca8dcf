//! trade.gov Consolidated Screening List, JSON: the bulk `consolidated.json` and a compact
//! third-party re-encoding of it.
//!
//! **Bulk shape:** an object with a `results` array (optionally `total`, `sources_used`...), or
//! a bare array of results. Each result has the CSV field names, with arrays for multi-values;
//! `addresses` is an array of objects `{address, city, state, postal_code, country}` and `ids`
//! an array of objects `{type, number, country, issue_date, expiration_date}`. Values may also be
//! plain `; `-joined strings, as in the CSV, and are read either way. Records are shared with the
//! CSV reader (`csl_csv::CslEntries`), so both validate the same way.
//!
//! **Compact shape** (`screening-list_*.compact.json`): `{fieldKey, tables, entries}` where each
//! entry has short keys (`n` name, `a` alt names, `s` source index into `tables.sources`, `t`
//! type, `c` ISO-2 countries, `e` entity number, `pg`/`lr`/`lp`/`u` indexes into
//! `tables.programmes`/`licenceRequirements`/`licencePolicies`/`urls`, `fr` FR notices). It has no
//! `_id`: the source id is `<list code>-<entity number>`, or `compact-<position>` without one.
//!
//! JSON records have no line numbers; diagnostics name the record instead. The vintage is the
//! newest `start_date`, or for the compact shape its `sourceGeneratedAt`.

use crate::csl_csv::{CslEntries, CslRecord};
use crate::error::IngestError;
use crate::text;
use chokepoint_model::{Address, Diagnostic, ListCode, ListSet, SourceFormat};
use serde_json::Value;

const FORMAT: SourceFormat = SourceFormat::CslJson;

/// Reads a CSL JSON file, bulk or compact.
pub(crate) fn parse(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    let root: Value = serde_json::from_slice(text::strip_bom(bytes)).map_err(|error| {
        IngestError::malformed(
            label,
            FORMAT,
            format!(
                "invalid JSON at line {}, column {}: {error}",
                error.line(),
                error.column()
            ),
        )
    })?;
    if root.get("entries").is_some() && root.get("tables").is_some() {
        return parse_compact(label, &root);
    }
    let results = match &root {
        Value::Array(results) => results,
        Value::Object(object) => match object.get("results") {
            Some(Value::Array(results)) => results,
            _ => {
                return Err(IngestError::malformed(
                    label,
                    FORMAT,
                    "expected an object with a `results` array (the trade.gov bulk consolidated.json)",
                ));
            }
        },
        _ => {
            return Err(IngestError::malformed(
                label,
                FORMAT,
                "expected a JSON object or array",
            ));
        }
    };
    let mut entries = CslEntries::new(label);
    for (position, result) in results.iter().enumerate() {
        let Value::Object(_) = result else {
            entries.diagnostics.push(
                Diagnostic::error(label, "the result is not an object; skipped")
                    .in_record(format!("results[{position}]")),
            );
            continue;
        };
        let one = |key: &str| result.get(key).and_then(scalar);
        let many = |key: &str| result.get(key).map(strings).unwrap_or_default();
        let record = CslRecord {
            id: one("_id").or_else(|| one("id")),
            source: one("source"),
            entity_number: one("entity_number"),
            kind: one("type").unwrap_or_default(),
            name: one("name"),
            title: one("title"),
            programs: many("programs"),
            addresses: result.get("addresses").map(addresses).unwrap_or_default(),
            federal_register: many("federal_register_notice"),
            start_date: one("start_date"),
            end_date: one("end_date"),
            license_requirement: one("license_requirement"),
            license_policy: one("license_policy"),
            remarks: one("remarks"),
            source_url: one("source_list_url"),
            alt_names: many("alt_names"),
            citizenships: many("citizenships"),
            nationalities: many("nationalities"),
            dates_of_birth: many("dates_of_birth"),
            ids: result.get("ids").map(ids).unwrap_or_default(),
            call_sign: one("call_sign"),
        };
        entries.push(None, record);
    }
    let (entries, diagnostics) = entries.finish();
    let vintage = text::newest_start_date(&entries);
    Ok(text::list_set(label, FORMAT, vintage, entries, diagnostics))
}

/// A scalar as trimmed text; `None` for null, blanks, arrays and objects.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => text::owned_value(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A multi-value: an array of scalars, or one `;`-joined string.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        Value::String(s) => text::split_multi(s).map(str::to_string).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// Addresses: objects `{address, city, state, postal_code, country}` or one-line strings.
fn addresses(value: &Value) -> Vec<Address> {
    let one_line = |full: &str| Address {
        full: Some(full.to_string()),
        country: text::address_country(full).map(str::to_string),
        ..Address::default()
    };
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::String(s) => return text::split_multi(s).map(one_line).collect(),
        _ => return Vec::new(),
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => text::value(s).map(one_line),
            Value::Object(_) => {
                let get = |key: &str| item.get(key).and_then(scalar);
                let country_text = get("country");
                let address = Address {
                    street: get("address"),
                    city: get("city"),
                    state: get("state"),
                    postal_code: get("postal_code"),
                    country: country_text
                        .as_deref()
                        .and_then(text::country_code)
                        .map(str::to_string),
                    full: None,
                };
                let parts: Vec<&str> = [
                    &address.street,
                    &address.city,
                    &address.state,
                    &address.postal_code,
                    &country_text,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
                let full = (!parts.is_empty()).then(|| parts.join(", "));
                full.map(|full| Address {
                    full: Some(full),
                    ..address
                })
            }
            _ => None,
        })
        .collect()
}

/// Identity documents: objects `{type, number, country, ...}` or strings.
fn ids(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::Object(_) => {
                    let parts: Vec<String> = ["type", "number", "country"]
                        .iter()
                        .filter_map(|key| item.get(*key).and_then(scalar))
                        .collect();
                    (!parts.is_empty()).then(|| parts.join(", "))
                }
                other => scalar(other),
            })
            .collect(),
        other => strings(other),
    }
}

/// Reads the compact re-encoding (see the module docs).
fn parse_compact(label: &str, root: &Value) -> Result<ListSet, IngestError> {
    let table = |name: &str| -> Vec<String> {
        root.get("tables")
            .and_then(|t| t.get(name))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|v| scalar(v).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    };
    let sources = table("sources");
    let programmes = table("programmes");
    let requirements = table("licenceRequirements");
    let policies = table("licencePolicies");
    let urls = table("urls");
    let Some(items) = root.get("entries").and_then(Value::as_array) else {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "`entries` is not an array",
        ));
    };
    // An index into a table, or the value itself when it is not an index.
    let lookup = |table: &[String], value: Option<&Value>| -> Vec<String> {
        let resolve = |v: &Value| match v.as_u64() {
            Some(i) => usize::try_from(i).ok().and_then(|i| table.get(i)).cloned(),
            None => scalar(v),
        };
        match value {
            Some(Value::Array(values)) => values.iter().filter_map(resolve).collect(),
            Some(v) => resolve(v).into_iter().collect(),
            None => Vec::new(),
        }
    };
    let mut entries = CslEntries::new(label);
    for (position, item) in items.iter().enumerate() {
        let source = lookup(&sources, item.get("s")).into_iter().next();
        let entity_number = item.get("e").and_then(scalar);
        let code = source.as_deref().and_then(ListCode::from_csl_source);
        let id = match (&code, &entity_number) {
            (Some(code), Some(number)) => format!("{code}-{number}"),
            _ => format!("compact-{position}"),
        };
        let programs = lookup(&programmes, item.get("pg"))
            .iter()
            .flat_map(|p| text::split_multi(p).map(str::to_string).collect::<Vec<_>>())
            .collect();
        let record = CslRecord {
            id: Some(id),
            source,
            entity_number,
            kind: item.get("t").and_then(scalar).unwrap_or_default(),
            name: item.get("n").and_then(scalar),
            programs,
            addresses: item
                .get("c")
                .map(strings)
                .unwrap_or_default()
                .iter()
                .map(|c| Address {
                    full: Some(c.clone()),
                    country: text::country_code(c).map(str::to_string),
                    ..Address::default()
                })
                .collect(),
            federal_register: item.get("fr").map(strings).unwrap_or_default(),
            license_requirement: lookup(&requirements, item.get("lr")).into_iter().next(),
            license_policy: lookup(&policies, item.get("lp")).into_iter().next(),
            source_url: lookup(&urls, item.get("u")).into_iter().next(),
            alt_names: item.get("a").map(strings).unwrap_or_default(),
            ..CslRecord::default()
        };
        entries.push(None, record);
    }
    let (entries, diagnostics) = entries.finish();
    let vintage = root
        .get("sourceGeneratedAt")
        .and_then(Value::as_str)
        .and_then(text::parse_iso_date);
    Ok(text::list_set(label, FORMAT, vintage, entries, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../test_data/csl_json/small.json");
    const COMPACT: &[u8] = include_bytes!("../test_data/csl_json/compact.json");

    #[test]
    fn reads_the_fixture() {
        let set = parse("small.json", FIXTURE).expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn reads_the_compact_shape() {
        let set = parse("compact.json", COMPACT).expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn same_record_in_csv_and_json_gives_the_same_entry() {
        let csv = "_id,source,type,name,addresses,alt_names,programs,start_date\n\
            \"x1\",\"Entity List (EL) - Bureau of Industry and Security\",\"Entity\",\"Acme\",\"Yerevan, Armenia, AM\",\"A1; A2\",\"P1; P2\",\"2020-01-02\"\n";
        let json = r#"{"results": [{"_id": "x1", "source": "Entity List (EL) - Bureau of Industry and Security",
            "type": "Entity", "name": "Acme", "addresses": ["Yerevan, Armenia, AM"],
            "alt_names": ["A1", "A2"], "programs": ["P1", "P2"], "start_date": "2020-01-02"}]}"#;
        let from_csv = crate::csl_csv::parse("a.csv", csv.as_bytes()).expect("csv");
        let from_json = parse("a.json", json.as_bytes()).expect("json");
        assert_eq!(from_csv.entries, from_json.entries);
    }

    #[test]
    fn broken_json_is_an_error_and_bad_results_are_diagnostics() {
        assert!(matches!(
            parse("x.json", b"{\"results\": [ {\"name\": "),
            Err(IngestError::Malformed { .. })
        ));
        assert!(parse("x.json", b"{\"other\": 1}").is_err());
        let set = parse(
            "x.json",
            br#"{"results": [1, {"name": "No Source"}, {"source": "X (EL)", "name": "Ok"}]}"#,
        )
        .expect("readable");
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.diagnostics.len(), 3, "{:?}", set.diagnostics);
    }
}
